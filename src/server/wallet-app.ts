/**
 * The wallet's own origin: a small Express app that serves only the wallet page and its bundle
 * (`/`, `/assets/wallet.js`, `/assets/prover-worker.js`, `/assets/style.css`) and `/config.json`
 * (where the holder's issuer and registry are). Nothing else runs on this origin, so no service
 * or issuer page can read the holder secret in the wallet's IndexedDB (same-origin policy), and
 * services reach the wallet only by redirect (request_uri in, response code back).
 *
 * Its Content-Security-Policy is strict: scripts and workers only from this origin (plus
 * 'wasm-unsafe-eval' for the circuit's WebAssembly and blob: workers for snarkjs's threads);
 * `connect-src` this origin and the service origin(s) only, so a compromised dependency cannot
 * send the secret elsewhere; no framing (the consent screen cannot be clickjacked); no referrer.
 *
 * @example
 * const wallet = createWalletApp({ serviceBaseUrl: 'http://localhost:8080' });
 * wallet.listen(8081);
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { WALLET_PUBLIC_DIR } from './wallet-bundle.ts';

export interface WalletAppOptions {
  /** the holder's issuer and registry, and the service whose requests this wallet answers by default */
  serviceBaseUrl: string;
  /** further origins the wallet may fetch from (other services and registries); default none */
  connectOrigins?: string[];
  /** the wallet page and its built assets; default src/server/public/wallet */
  publicDir?: string;
}

/** The origin of an http(s) URL. @throws TypeError naming the parameter */
function originOf(name: string, url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TypeError(`Parameter '${name}' is not a URL: '${url}'`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TypeError(`Parameter '${name}' must be an http(s) URL, got '${url}'`);
  return u.origin;
}

/**
 * Build the wallet's app (it does not listen: main.ts does).
 * @throws TypeError for a serviceBaseUrl or connect origin that is not an http(s) URL
 */
export function createWalletApp(o: WalletAppOptions): Express {
  const serviceOrigin = originOf('serviceBaseUrl', o.serviceBaseUrl);
  const serviceBaseUrl = o.serviceBaseUrl.replace(/\/+$/, '');
  const connect = [...new Set([serviceOrigin, ...(o.connectOrigins ?? []).map((c, i) => originOf(`connectOrigins[${i}]`, c))])];
  const publicDir = o.publicDir ?? WALLET_PUBLIC_DIR;
  const https = serviceOrigin.startsWith('https:');

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(
    helmet({
      strictTransportSecurity: https,
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          'default-src': ["'self'"],
          // The prover compiles the circuit's WebAssembly and runs snarkjs's threads in blob: workers.
          'script-src': ["'self'", "'wasm-unsafe-eval'"],
          'worker-src': ["'self'", 'blob:'],
          // Requests (holder views, presentations), registry data and circuit artifacts: only from
          // this origin and the configured services. Whatever runs here can reach nowhere else.
          'connect-src': ["'self'", ...connect],
          'style-src': ["'self'"],
          'img-src': ["'self'", 'data:'],
          'font-src': ["'self'"],
          'object-src': ["'none'"],
          'base-uri': ["'none'"],
          'form-action': ["'self'"],
          // The consent screen must never sit in another page's frame (clickjacking).
          'frame-ancestors': ["'none'"],
          ...(https ? { 'upgrade-insecure-requests': [] } : {}),
        },
      },
      referrerPolicy: { policy: 'no-referrer' },
      crossOriginEmbedderPolicy: false,
      crossOriginResourcePolicy: { policy: 'same-origin' },
    }),
  );

  app.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });
  app.get('/config.json', (_req, res) => {
    res.set('Cache-Control', 'no-cache').json({ serviceBaseUrl });
  });
  if (existsSync(join(publicDir, 'index.html'))) {
    app.use(
      express.static(publicDir, {
        index: 'index.html',
        dotfiles: 'ignore',
        // The bundle changes with every build: revalidate (ETag) rather than cache blindly.
        setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache'),
      }),
    );
  }
  app.use((req, res) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.path.slice(0, 200)}` } });
  });
  return app;
}
