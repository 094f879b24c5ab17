/**
 * Entry point (`npm start`): read the configuration, open the SQLite store in the data directory,
 * create the demo issuer key on first start, build the app and listen. SIGINT/SIGTERM drain
 * in-flight requests, then close the store and snarkjs's worker threads.
 *
 * Environment:
 *   PORT              port to listen on (default 8080; 0 picks a free one)
 *   HOST              address to bind (default: all interfaces)
 *   ZKID_DATA_DIR     data directory (default ./data), created on start
 *   ZKID_CONFIG       optional JSON config file (see src/server/config.ts)
 *   ZKID_ADMIN_TOKEN  bearer token of the issuer API; outside production, when neither this nor
 *                     the config file sets one, a token is generated on first start, printed
 *                     once and kept in <data dir>/admin-token
 *   ZKID_SERVICE_ID, ZKID_DEMO   override the config file's serviceId and demo
 *   NODE_ENV=production          demo off by default, admin token required
 *   LOG_LEVEL         pino level (default info)
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { openSqliteStore } from '../store/sqlite.ts';
import { createApp } from './app.ts';
import { ConfigError, readConfigInput, resolveConfig, type ServiceEnv } from './config.ts';
import { ensureIssuerKey } from './issuer-service.ts';

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

function parsePort(v: string | undefined): number {
  const port = Number(v ?? '8080');
  if (!/^[0-9]{1,5}$/.test(v ?? '8080') || port > 65535) throw new ConfigError(`PORT must be an integer from 0 to 65535, got '${v}'`);
  return port;
}

async function main(): Promise<void> {
  const env = process.env as ServiceEnv;
  const production = env.NODE_ENV === 'production';
  const logger = pino({ level: env.LOG_LEVEL ?? 'info', redact: ['req.headers.authorization', 'adminToken'] });

  const port = parsePort(env.PORT);
  const dataDir = resolve(env.ZKID_DATA_DIR ?? './data');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const input = readConfigInput(env);
  let adminToken: string | undefined;
  if (input.adminToken === undefined) {
    if (production) throw new ConfigError('ZKID_ADMIN_TOKEN (or adminToken in the config file) is required when NODE_ENV=production');
    const dev = devAdminToken(dataDir);
    adminToken = dev.token;
    if (dev.created) {
      process.stderr.write(
        `\nzkid: generated an admin token for the issuer API (kept in ${join(dataDir, ADMIN_TOKEN_FILE)}):\n\n    ${dev.token}\n\n`,
      );
    } else {
      logger.info({ file: join(dataDir, ADMIN_TOKEN_FILE) }, 'admin token read from the data directory');
    }
  }
  const config = resolveConfig(input, { ...(adminToken ? { adminToken } : {}), production });

  const store = openSqliteStore(dataDir);
  let app: Awaited<ReturnType<typeof createApp>>;
  try {
    if (config.roles.issuer) {
      const key = await ensureIssuerKey(store, new Date());
      logger.info({ keyId: key.id }, 'issuer key ready');
    }
    app = await createApp({ store, config, logger });
  } catch (e) {
    await store.close();
    throw e;
  }

  const onListening = (err?: Error) => {
    if (err) {
      logger.fatal({ err }, 'cannot listen');
      process.exitCode = 1;
      void app.close();
      return;
    }
    const address = server.address();
    logger.info(
      {
        port: typeof address === 'object' && address ? address.port : port,
        dataDir,
        roles: config.roles,
        demo: config.demo,
        serviceId: config.serviceId,
      },
      'listening',
    );
  };
  // Without HOST, Node binds every interface (IPv6 and IPv4 where available).
  const server: Server = env.HOST ? app.listen(port, env.HOST, onListening) : app.listen(port, onListening);
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;
  server.keepAliveTimeout = 5_000;

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
      server.closeAllConnections();
    }, DRAIN_TIMEOUT_MS);
    force.unref();
    const closed = new Promise<void>((res) => server.close(() => res()));
    server.closeIdleConnections();
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
