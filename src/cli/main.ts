/**
 * The zkid command line: JSON files in, JSON out (stdout, or --out FILE). Errors go to stderr as
 * `error CODE: message`.
 *
 * Exit status, for scripts: 0 success; 1 only when `verify` rejects a presentation (or `audit
 * verify` finds the chain broken); 2 invalid
 * input (a bad file or value, a statement the credential cannot prove, a refused request); 64
 * usage errors (unknown command or option, missing argument: EX_USAGE of sysexits.h).
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { circuitBuild } from '../circuit/artifacts-node.ts';
import { circuitParams, DEFAULT_CIRCUIT, listCircuits } from '../circuit/registry.ts';
import { createHolderSecret, holderCommitment, parseHolderSecret } from '../credential/holder.ts';
import { parseCredential } from '../credential/schema.ts';
import { parseDate } from '../dates.ts';
import { isZkidError, ZkidError } from '../errors.ts';
import { parseFieldElement, toDecimal } from '../field.ts';
import { BUILTIN_POLICIES, parsePolicy } from '../policy.ts';
import { createProofRequest, parseProofRequest } from '../request.ts';
import { RevocationTree } from '../revocation/tree.ts';

function readJson(path: string, what: string): unknown {
  if (!existsSync(path)) throw new ZkidError('INVALID_ARGUMENT', `${what} file not found: ${path}`, what);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ZkidError('INVALID_ARGUMENT', `${what} file ${path} is not valid JSON: ${e instanceof Error ? e.message : e}`, what);
  }
}

/** Write JSON atomically (temp file + rename), or print it. */
function output(value: unknown, out?: string): void {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (!out) {
    process.stdout.write(text);
    return;
  }
  const tmp = `${out}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, out);
  process.stderr.write(`wrote ${out}\n`);
}

function loadTree(path: string, create = false): RevocationTree {
  if (!existsSync(path)) {
    if (create) return new RevocationTree();
    throw new ZkidError(
      'INVALID_ARGUMENT',
      `tree file not found: ${path} (create one with 'zkid revoke' or 'zkid tree snapshot --tree FILE --init')`,
      'tree',
    );
  }
  return RevocationTree.fromSnapshot(readJson(path, 'tree'));
}

async function issuerKey(path: string) {
  const k = readJson(path, 'key') as { privateKey?: unknown };
  if (typeof k?.privateKey !== 'string') throw new ZkidError('INVALID_ARGUMENT', `${path} has no privateKey`, 'key');
  const { issuerKeyFromPrivate } = await import('../credential/issuer.ts');
  return issuerKeyFromPrivate(k.privateKey);
}

function issuerPublic(path: string): [string, string] {
  const k = readJson(path, 'issuer') as { publicKey?: unknown };
  const pk = k?.publicKey;
  if (!Array.isArray(pk) || pk.length !== 2) throw new ZkidError('INVALID_ARGUMENT', `${path} has no publicKey [Ax, Ay]`, 'issuer');
  return [toDecimal(parseFieldElement('issuer.publicKey[0]', pk[0])), toDecimal(parseFieldElement('issuer.publicKey[1]', pk[1]))];
}

/** Exit status of usage errors (sysexits.h EX_USAGE). */
const EX_USAGE = 64;
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const program = new Command()
  .name('zkid')
  .description('Zero-knowledge proofs of ID attributes: issue, prove, verify, revoke')
  .version(VERSION, '-V, --version', 'print the version')
  .showHelpAfterError()
  // Commander's own errors (usage) become exceptions, so the exit status is ours to choose.
  .exitOverride();

const issuerCmd = program.command('issuer').description('issuer keys');
issuerCmd
  .command('keygen')
  .description('create an issuer key pair (EdDSA-Poseidon on BabyJubJub); keep the file secret')
  .option('--out <file>', 'write the key here (mode 600)')
  .action(async (o: { out?: string }) => {
    const { generateIssuerKey } = await import('../credential/issuer.ts');
    output(await generateIssuerKey(), o.out);
  });

program
  .command('issue')
  .description("sign a credential for a holder's commitment")
  .requiredOption('--key <file>', 'issuer key file (from issuer keygen)')
  .requiredOption('--attributes <file>', 'attributes JSON: idNumber, birthDate, validUntil, region, nationality, documentType')
  .requiredOption('--holder <file>', "holder file (from holder init) or a file with the holder's commitment")
  .option('--serial <n>', 'revocation serial (default: random)')
  .option('--out <file>', 'write the credential here')
  .action(async (o: { key: string; attributes: string; holder: string; serial?: string; out?: string }) => {
    const holder = readJson(o.holder, 'holder') as { commitment?: unknown };
    const { randomSerial, signCredential } = await import('../credential/issuer.ts');
    const credential = await signCredential(await issuerKey(o.key), {
      attributes: readJson(o.attributes, 'attributes'),
      serial: o.serial ?? randomSerial(),
      holderCommitment: toDecimal(parseFieldElement('holder.commitment', holder?.commitment)),
    });
    output(credential, o.out);
  });

program
  .command('holder')
  .description('holder secrets')
  .command('init')
  .description('create a holder secret and its commitment (give only the commitment to the issuer)')
  .option('--out <file>', 'write the holder file here (mode 600)')
  .action((o: { out?: string }) => {
    const secret = createHolderSecret();
    output({ secret: toDecimal(secret), commitment: toDecimal(holderCommitment(secret)) }, o.out);
  });

program
  .command('request')
  .description('create a proof request (verifier side)')
  .requiredOption('--policy <name|file>', `a built-in policy (${Object.keys(BUILTIN_POLICIES).join(', ')}) or a policy JSON file`)
  .requiredOption('--service <id>', "the service's identifier (its pseudonym scope)")
  .requiredOption('--issuer <file>', 'trusted issuer key file (public part is used)')
  .option('--tree <file>', 'revocation tree snapshot: accept its current root')
  .option('--root <root...>', 'accepted revocation roots')
  .option('--today <YYYYMMDD>', 'date to prove for (default: today, UTC)')
  .option('--ttl <seconds>', 'validity of the request', '300')
  .option('--circuit <name>', 'circuit instance', DEFAULT_CIRCUIT)
  .option('--out <file>', 'write the request here')
  .action(
    (o: {
      policy: string;
      service: string;
      issuer: string;
      tree?: string;
      root?: string[];
      today?: string;
      ttl: string;
      circuit: string;
      out?: string;
    }) => {
      const policy = BUILTIN_POLICIES[o.policy] ?? parsePolicy(readJson(o.policy, 'policy'), circuitParams(o.circuit));
      const roots = [...(o.root ?? []), ...(o.tree ? [toDecimal(loadTree(o.tree).root)] : [])];
      if (roots.length === 0) throw new ZkidError('INVALID_ARGUMENT', 'give --tree or --root', 'root');
      const ttl = Number(o.ttl);
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > 86400)
        throw new ZkidError('INVALID_ARGUMENT', '--ttl must be 1 to 86400 seconds', 'ttl');
      const request = createProofRequest({
        policy,
        serviceId: o.service,
        issuers: [issuerPublic(o.issuer)],
        roots,
        circuit: o.circuit,
        ttlSeconds: ttl,
        ...(o.today ? { today: parseDate('today', o.today) } : {}),
      });
      output(request, o.out);
    },
  );

program
  .command('prove')
  .description('prove a request with a credential (holder side)')
  .requiredOption('--credential <file>', 'credential file')
  .requiredOption('--holder <file>', 'holder file (from holder init)')
  .requiredOption('--request <file>', 'proof request file')
  .requiredOption(
    '--service <id>',
    'the service you mean to answer: a request for any other service id is refused (SERVICE_MISMATCH), so no verifier can ask for the pseudonym another service sees',
  )
  .option('--tree <file>', 'revocation snapshot (the witness is built locally)')
  .option('--bucket <file>', 'revocation bucket holding the serial (private witness refresh)')
  .option('--allow-identifying', 'consent to a policy that lets the service learn who you are (discloses or constrains idNumber)')
  .option('--out <file>', 'write the presentation here')
  .action(
    async (o: {
      credential: string;
      holder: string;
      request: string;
      service: string;
      tree?: string;
      bucket?: string;
      allowIdentifying?: boolean;
      out?: string;
    }) => {
      const credential = parseCredential(readJson(o.credential, 'credential'));
      const holder = readJson(o.holder, 'holder') as { secret?: unknown };
      const request = parseProofRequest(readJson(o.request, 'request'));
      if (!o.tree && !o.bucket) throw new ZkidError('INVALID_ARGUMENT', 'give --tree or --bucket for the revocation witness', 'revocation');
      const revocation = o.bucket ? (readJson(o.bucket, 'bucket') as never) : loadTree(o.tree as string).witness(BigInt(credential.serial));
      const build = circuitBuild(request.circuit);
      const { generateProof } = await import('../prover/generate-proof.ts');
      const t0 = performance.now();
      const presentation = await generateProof({
        credential,
        holderSecret: parseHolderSecret(holder?.secret),
        request,
        revocation,
        expectedServiceId: o.service,
        allowIdentifying: o.allowIdentifying === true,
        artifacts: { wasm: build.wasm, zkey: build.zkey },
        // One proof per process: a base for later proofs would only cost time.
        keepLinearBase: false,
        onProgress: (p) => {
          progressLine = true;
          process.stderr.write(`\r${p.stage.padEnd(18)} ${(p.fraction * 100).toFixed(0).padStart(3)}%`);
        },
      });
      progressLine = false;
      process.stderr.write(`\nproved in ${((performance.now() - t0) / 1000).toFixed(2)} s\n`);
      output(presentation, o.out);
    },
  );

const auditCmd = program.command('audit').description("the service's audit log");
auditCmd
  .command('verify')
  .description("verify the audit log's hash chain (exit 1 when it is broken); stop the service first for SQLite")
  .option('--data <dir>', 'the SQLite data directory', './data')
  .option('--database-url <url>', 'a PostgreSQL database instead (postgres://...; default DATABASE_URL)')
  .action(async (o: { data: string; databaseUrl?: string }) => {
    const { openStore } = await import('../store/open.ts');
    const { verifyAuditChain } = await import('../store/audit-verify.ts');
    const databaseUrl = o.databaseUrl ?? process.env.DATABASE_URL;
    if (!databaseUrl && !existsSync(o.data)) throw new ZkidError('INVALID_ARGUMENT', `no data directory ${o.data}`, 'data');
    let store: Awaited<ReturnType<typeof openStore>>;
    try {
      store = await openStore({ databaseUrl, dataDir: o.data });
    } catch (e) {
      throw new ZkidError(
        'INVALID_ARGUMENT',
        `cannot open the store: ${e instanceof Error ? e.message : String(e)}`,
        databaseUrl ? 'database-url' : 'data',
      );
    }
    try {
      const verdict = await verifyAuditChain(store);
      output(verdict);
      if (!verdict.valid) process.exitCode = 1;
    } finally {
      await store.close();
    }
  });

program
  .command('verify')
  .description('verify a presentation against the request it answers (exit 1 when rejected)')
  .requiredOption('--request <file>', 'the request as issued')
  .requiredOption('--presentation <file>', "the holder's presentation")
  .option('--vkey <file>', 'verification key (default: the committed key of the request circuit)')
  .action(async (o: { request: string; presentation: string; vkey?: string }) => {
    const request = parseProofRequest(readJson(o.request, 'request'));
    const verificationKey = o.vkey ? readJson(o.vkey, 'vkey') : circuitBuild(request.circuit).verificationKey;
    const { verifyPresentation } = await import('../verifier/verify-presentation.ts');
    const verdict = await verifyPresentation(readJson(o.presentation, 'presentation'), request, { verificationKey });
    output(verdict);
    if (!verdict.verified) process.exitCode = 1;
  });

program
  .command('revoke')
  .description('revoke (or --unrevoke) a serial in a revocation tree snapshot file (created if missing)')
  .requiredOption('--tree <file>', 'tree snapshot file')
  .requiredOption('--serial <n...>', 'serial(s)')
  .option('--unrevoke', 'clear instead of set')
  .action((o: { tree: string; serial: string[]; unrevoke?: boolean }) => {
    const tree = loadTree(o.tree, true);
    let changed = 0;
    for (const [i, s] of o.serial.entries()) {
      const serial = parseFieldElement(`serial[${i}]`, s);
      if (o.unrevoke ? tree.unrevoke(serial) : tree.revoke(serial)) changed++;
    }
    output(tree.exportSnapshot(), o.tree);
    process.stderr.write(`${changed} changed; root ${toDecimal(tree.root)}\n`);
  });

const treeCmd = program.command('tree').description('revocation tree data');
treeCmd
  .command('root')
  .requiredOption('--tree <file>', 'tree snapshot file')
  .action((o: { tree: string }) => {
    const t = loadTree(o.tree);
    output({ root: toDecimal(t.root), revision: t.revision, revokedLeaves: t.size });
  });
treeCmd
  .command('bucket')
  .description('export the bucket of leaves holding a serial (or --index K)')
  .requiredOption('--tree <file>', 'tree snapshot file')
  .option('--serial <n>', 'a serial inside the bucket')
  .option('--index <k>', 'bucket index')
  .option('--bits <b>', 'bucket size: 2^b leaves', '10')
  .option('--out <file>', 'write the bucket here')
  .action(async (o: { tree: string; serial?: string; index?: string; bits: string; out?: string }) => {
    const { bucketIndexOf } = await import('../revocation/tree.ts');
    const t = loadTree(o.tree);
    const bits = Number(o.bits);
    const index =
      o.index !== undefined
        ? Number(o.index)
        : o.serial !== undefined
          ? bucketIndexOf(parseFieldElement('serial', o.serial), bits, t.shape)
          : undefined;
    if (index === undefined) throw new ZkidError('INVALID_ARGUMENT', 'give --serial or --index', 'index');
    output(t.exportBucket(index, bits), o.out);
  });
treeCmd
  .command('snapshot')
  .description('print (or --init: create) a full snapshot')
  .requiredOption('--tree <file>', 'tree snapshot file')
  .option('--init', 'create an empty tree file')
  .action((o: { tree: string; init?: boolean }) => {
    if (o.init) {
      if (existsSync(o.tree)) throw new ZkidError('INVALID_ARGUMENT', `${o.tree} exists`, 'tree');
      output(new RevocationTree().exportSnapshot(), o.tree);
      return;
    }
    output(loadTree(o.tree).exportSnapshot());
  });

program
  .command('circuit')
  .description('circuit artifacts')
  .command('info')
  .description('facts about a circuit instance and its committed build')
  .option('--circuit <name>', 'instance', DEFAULT_CIRCUIT)
  .option('--json', 'machine-readable output')
  .action((o: { circuit: string; json?: boolean }) => {
    const b = circuitBuild(o.circuit);
    const m = b.manifest;
    const info = {
      instance: m.instance,
      params: circuitParams(o.circuit),
      constraints: m.constraints,
      wires: m.wires,
      publicInputs: m.publicInputs,
      publicOutputs: m.publicOutputs,
      nPublic: m.nPublic,
      zkeySha256: m.artifacts.zkey.sha256,
      wasmSha256: m.artifacts.wasm.sha256,
      vkeySha256: m.artifacts.vkey.sha256,
      zkeyBytes: m.artifacts.zkey.bytes,
      compiler: m.compiler,
      ceremony: m.ceremony.note,
      instances: listCircuits(),
    };
    if (o.json) output(info);
    else
      for (const [k, v] of Object.entries(info)) process.stdout.write(`${k.padEnd(14)} ${typeof v === 'object' ? JSON.stringify(v) : v}\n`);
  });

/** Whether a `\r` progress line is open on stderr. */
let progressLine = false;

// Heavy modules (snarkjs, circomlibjs and its WebAssembly Poseidon) load only when a command
// runs: --help, --version and usage errors answer in a fraction of the time.
program.hook('preAction', async () => {
  const { enableWasmPoseidon } = await import('../poseidon-wasm.ts');
  await enableWasmPoseidon();
});

program
  .parseAsync()
  .catch((e: unknown) => {
    // An error never continues a progress line.
    if (progressLine) process.stderr.write('\n');
    if (e instanceof CommanderError) {
      // Commander has printed the message (and help) already; --help and --version exit 0.
      process.exitCode = e.exitCode === 0 ? 0 : EX_USAGE;
      return;
    }
    if (isZkidError(e)) process.stderr.write(`error ${e.code}${e.field ? ` (${e.field})` : ''}: ${e.message}\n`);
    else process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  })
  // snarkjs's curve keeps worker threads alive: end them if a command started it.
  .finally(() => (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate());
