/** The prover has no Node-only imports: it bundles for the browser with esbuild. */
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { poseidonLite } from '../../src/poseidon.ts';

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
    expect(inputs).toContain('src/poseidon-lite.browser.ts');
    expect(inputs).not.toContain('src/poseidon-lite.node.ts');
    expect(inputs.filter((i) => i.startsWith('node:') || /^(fs|path|os|crypto|worker_threads)$/.test(i))).toEqual([]);
    const code = result.outputFiles[0]!.text;
    expect(code).not.toMatch(/from\s*["']node:/);
  }, 60_000);

  it("hashes like Node with each Poseidon width loaded at its first use (the browser's #poseidon-lite)", async () => {
    const result = await build({
      stdin: {
        contents: "export { poseidonLite } from './src/poseidon.ts';",
        resolveDir: new URL('../..', import.meta.url).pathname,
        loader: 'ts',
      },
      bundle: true,
      write: false,
      format: 'iife',
      globalName: 'zkidPoseidon',
      platform: 'browser',
      target: 'es2022',
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.text;
    // Every width is bundled, each behind a loader that runs its module (and decodes its
    // constants) only when called: none at load.
    for (let n = 1; n <= 16; n++) {
      expect(code).toContain(`() => require_poseidon${n}()`);
      expect(code.split(`require_poseidon${n}()`).length - 1, `calls of width ${n}'s module`).toBe(1);
    }
    const sandbox: { atob: typeof atob; zkidPoseidon?: { poseidonLite(x: bigint[]): bigint } } = { atob };
    runInNewContext(code, sandbox);
    for (let n = 1; n <= 16; n++) {
      const inputs = Array.from({ length: n }, (_, i) => BigInt(i * 7 + n));
      expect(sandbox.zkidPoseidon?.poseidonLite(inputs), `width ${n}`).toBe(poseidonLite(inputs));
    }
  }, 60_000);
});
