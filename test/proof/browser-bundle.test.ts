/** The prover has no Node-only imports: it bundles for the browser with esbuild. */
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('browser build of the prover', () => {
  it('bundles generateProof for platform=browser without Node built-ins', async () => {
    const result = await build({
      stdin: {
        contents:
          "export { generateProof } from './src/prover/generate-proof.ts'; export { witnessFromBucket } from './src/revocation/bucket.ts';",
        resolveDir: new URL('../..', import.meta.url).pathname,
        loader: 'ts',
      },
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      logLevel: 'silent',
      metafile: true,
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain('src/prover/read-bytes.browser.ts');
    expect(inputs).not.toContain('src/prover/read-bytes.node.ts');
    expect(inputs.filter((i) => i.startsWith('node:') || /^(fs|path|os|crypto|worker_threads)$/.test(i))).toEqual([]);
    const code = result.outputFiles[0]!.text;
    expect(code).not.toMatch(/from\s*["']node:/);
  }, 60_000);
});
