/**
 * Entry point (`npm start`): read the configuration, open the SQLite store in the data directory,
 * create the demo issuer key on first start, build the service app and the wallet's app, and
 * listen on two origins: the service (verifier, issuer, registry, the relying party's demo page)
 * on PORT, the wallet on WALLET_PORT, so no service page can read the wallet's storage.
 * SIGINT/SIGTERM drain in-flight requests, then close both listeners, the store and snarkjs's
 * worker threads.
 *
 * Environment:
 *   PORT              port of the service (default 8080; 0 picks a free one)
 *   WALLET_PORT       port of the wallet's own origin (default 8081)
 *   HOST              address to bind, both listeners (default: all interfaces)
 *   ZKID_WALLET_URL   the wallet's public URL (default http://localhost:<WALLET_PORT>): where
 *                     services send holders
 *   ZKID_SERVICE_URL  the service's public URL as the wallet reaches it (default: the config's
 *                     publicBaseUrl, else http://localhost:<PORT>)
 *   ZKID_WALLET_CONNECT  further service origins (comma-separated) whose requests the wallet may
 *                     fetch and answer; the wallet's CSP lets it connect nowhere else
 *   ZKID_DATA_DIR     data directory (default ./data), created on start
 *   ZKID_CONFIG       optional JSON config file (see src/server/config.ts)
 *   ZKID_ADMIN_TOKEN  bearer token of the issuer API; outside production, when neither this nor
 *                     the config file sets one, a token is generated on first start, printed
 *                     once and kept in <data dir>/admin-token
 *   ZKID_SERVICE_ID, ZKID_DEMO   override the config file's serviceId and demo
 *   NODE_ENV=production          demo off by default, admin token required
 *   LOG_LEVEL         pino level (default info)
 *   DATABASE_URL      postgres://... : the PostgreSQL store (several instances on one database);
 *                     unset: SQLite in ZKID_DATA_DIR (one process)
 *   REDIS_URL         redis://... : rate limits shared by every instance (ZKID_REDIS_PREFIX, default zkid:rl:)
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { openStore, storeKind } from '../store/open.ts';
import { createApp } from './app.ts';
import { ConfigError, readConfigInput, resolveConfig, type ServiceEnv } from './config.ts';
import { ensureIssuerKey } from './issuer-service.ts';
import { createWalletApp } from './wallet-app.ts';
import { SERVICE_PUBLIC_DIR } from './wallet-bundle.ts';

const DRAIN_TIMEOUT_MS = 10_000;
export const ADMIN_TOKEN_FILE = 'admin-token';

/** The development admin token: read from the data directory, or generated and saved (0600) on first start. */
function devAdminToken(dataDir: string): { token: string; created: boolean } {
  const file = join(dataDir, ADMIN_TOKEN_FILE);
  try {
    return { token: readFileSync(file, 'utf8').trim(), created: false };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const token = randomBytes(32).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return { token, created: true };
}

function parsePort(name: string, v: string | undefined, fallback: number): number {
  const raw = v ?? String(fallback);
  const port = Number(raw);
  if (!/^[0-9]{1,5}$/.test(raw) || port > 65535) throw new ConfigError(`${name} must be an integer from 0 to 65535, got '${v}'`);
  return port;
}

/** An HTTP server for `handler`, resolved once it listens. */
/**
 * Bind a listener before the app exists (so port 0 resolves to a real port that the apps can be
 * told about); until `serve` is called it answers 503.
 */
function listen(port: number, host: string | undefined): Promise<{ server: Server; serve(h: RequestListener): void }> {
  let current: RequestListener = (_req, res) => {
    res.writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': '1' });
    res.end('{"error":{"code":"STARTING","message":"the service is starting"}}');
  };
  const server = createServer((req, res) => current(req, res));
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const done = () => {
      server.off('error', reject);
      resolve({
        server,
        serve: (h) => {
          current = h;
        },
      });
    };
    // Without HOST, Node binds every interface (IPv6 and IPv4 where available).
    if (host) server.listen(port, host, done);
    else server.listen(port, done);
  });
}

/** The port a server is bound to (the real one when 0 was asked for). */
function portOf(server: Server, fallback: number): number {
  const a = server.address();
  return typeof a === 'object' && a ? a.port : fallback;
}

async function main(): Promise<void> {
  const env = process.env as ServiceEnv & { WALLET_PORT?: string; ZKID_SERVICE_URL?: string; ZKID_WALLET_CONNECT?: string };
  const production = env.NODE_ENV === 'production';
  const logger = pino({ level: env.LOG_LEVEL ?? 'info', redact: ['req.headers.authorization', 'adminToken'] });

  const port = parsePort('PORT', env.PORT, 8080);
  const walletPort = parsePort('WALLET_PORT', env.WALLET_PORT, 8081);
  const dataDir = resolve(env.ZKID_DATA_DIR ?? './data');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // Both listeners first, so that port 0 (tests, several instances) becomes a real port that the
  // service and the wallet can be told about.
  let service: Server | undefined;
  let walletServer: Server | undefined;
  let serveService: (h: RequestListener) => void;
  let serveWallet: (h: RequestListener) => void;
  try {
    ({ server: service, serve: serveService } = await listen(port, env.HOST));
    ({ server: walletServer, serve: serveWallet } = await listen(walletPort, env.HOST));
  } catch (e) {
    service?.close();
    logger.fatal({ err: e }, 'cannot listen');
    throw e;
  }
  const closeListeners = () => {
    service?.close();
    walletServer?.close();
  };
  // The service sends holders to the wallet's origin: unless configured, the wallet listener's own URL.
  const walletEnv = env.ZKID_WALLET_URL ?? `http://localhost:${portOf(walletServer, walletPort)}`;
  let input: Record<string, unknown>;
  try {
    input = readConfigInput({ ...env, ZKID_WALLET_URL: walletEnv });
  } catch (e) {
    closeListeners();
    throw e;
  }
  // What start-up has to say is written after the addresses, so that the first lines a person
  // sees say where the service page and the wallet are (a start that fails writes it before failing).
  const notes: (() => void)[] = [];
  const writeNotes = () => {
    for (const note of notes.splice(0)) note();
  };
  let adminToken: string | undefined;
  if (input.adminToken === undefined) {
    if (production) throw new ConfigError('ZKID_ADMIN_TOKEN (or adminToken in the config file) is required when NODE_ENV=production');
    const dev = devAdminToken(dataDir);
    adminToken = dev.token;
    if (dev.created) {
      notes.push(() =>
        process.stderr.write(
          `zkid: generated an admin token for the issuer API (kept in ${join(dataDir, ADMIN_TOKEN_FILE)}):\n\n    ${dev.token}\n\n`,
        ),
      );
    } else {
      notes.push(() => logger.info({ file: join(dataDir, ADMIN_TOKEN_FILE) }, 'admin token read from the data directory'));
    }
  }
  let config: ReturnType<typeof resolveConfig>;
  let store: Awaited<ReturnType<typeof openStore>>;
  try {
    config = resolveConfig(input, { ...(adminToken ? { adminToken } : {}), production });
    store = await openStore({ databaseUrl: env.DATABASE_URL, dataDir });
  } catch (e) {
    writeNotes();
    closeListeners();
    throw e;
  }
  let app: Awaited<ReturnType<typeof createApp>>;
  try {
    if (config.roles.issuer) {
      const key = await ensureIssuerKey(store, new Date());
      notes.push(() => logger.info({ keyId: key.id }, 'issuer key ready'));
    }
    // The service serves the relying party's demo page only; the wallet has its own origin.
    app = await createApp({ store, config, logger, publicDir: SERVICE_PUBLIC_DIR });
  } catch (e) {
    writeNotes();
    await store.close();
    closeListeners();
    throw e;
  }

  const serviceUrl = env.ZKID_SERVICE_URL ?? config.publicBaseUrl ?? `http://localhost:${portOf(service, port)}`;
  try {
    const connectOrigins = (env.ZKID_WALLET_CONNECT ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    let wallet: ReturnType<typeof createWalletApp>;
    try {
      wallet = createWalletApp({ serviceBaseUrl: serviceUrl, connectOrigins });
    } catch (e) {
      throw new ConfigError(`ZKID_SERVICE_URL / ZKID_WALLET_CONNECT: ${e instanceof Error ? e.message : String(e)}`);
    }
    serveService(app);
    serveWallet(wallet);
  } catch (e) {
    writeNotes();
    closeListeners();
    await app.close();
    throw e;
  }
  const walletUrl = config.walletBaseUrl;
  process.stderr.write(
    `\nzkid: the service (API and the relying party's demo page) at ${serviceUrl}/service.html\n` +
      `zkid: the wallet, on its own origin, at ${walletUrl}/\n\n`,
  );
  writeNotes();
  logger.info(
    {
      port: portOf(service, port),
      walletPort: portOf(walletServer, walletPort),
      dataDir,
      store: storeKind(env.DATABASE_URL),
      roles: config.roles,
      demo: config.demo,
      serviceId: config.serviceId,
    },
    'listening',
  );

  let stoppingSince = 0;
  const shutdown = async (signal: string) => {
    if (stoppingSince) {
      // A launcher (npm, tsx) may relay the terminal's signal that this process also received:
      // only a repeat well after the first one means "stop now".
      if (Date.now() - stoppingSince < 2_000) return;
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stoppingSince = Date.now();
    logger.info({ signal }, 'shutting down: draining requests');
    app.beginDrain();
    const force = setTimeout(() => {
      logger.warn('drain timeout: closing open connections');
      service.closeAllConnections();
      walletServer.closeAllConnections();
    }, DRAIN_TIMEOUT_MS);
    force.unref();
    const closed = Promise.all(
      [service, walletServer].map((srv) => {
        const c = new Promise<void>((res) => srv.close(() => res()));
        srv.closeIdleConnections();
        return c;
      }),
    );
    await closed;
    clearTimeout(force);
    await app.close();
    logger.info('stopped');
    // Everything is closed, so the process ends by itself; this only catches a leaked handle.
    setTimeout(() => {
      logger.warn('a handle kept the process alive after shutdown: exiting');
      process.exit(0);
    }, 3_000).unref();
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  // npm does not pass SIGTERM on to the script it runs: when the launcher (npm, a shell) goes away,
  // this process is re-parented. Treat that as a stop request too, so `kill <npm pid>` stops the
  // service instead of leaving it running orphaned.
  const launcher = process.ppid;
  const orphanWatch = setInterval(() => {
    if (process.ppid !== launcher) {
      clearInterval(orphanWatch);
      void shutdown('launcher exited');
    }
  }, 500);
  orphanWatch.unref();
  process.on('unhandledRejection', (err) => {
    logger.fatal({ err }, 'unhandled rejection');
    process.exit(1);
  });
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError) process.stderr.write(`zkid: ${e.message}\n`);
  else process.stderr.write(`zkid: failed to start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(e instanceof ConfigError ? 2 : 1);
});
