import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createApp } from './app.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { version } from './version.js';

export interface RunningServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Starts the BFF; `port: 0` picks a free port (tests). */
export async function start(config: Config = loadConfig()): Promise<RunningServer> {
  const log = (level: 'error' | 'info', message: string): void => {
    if (config.logLevel === 'silent' || (config.logLevel === 'error' && level === 'info')) return;
    process.stderr.write(`${new Date().toISOString()} ${level} ${message}\n`);
  };
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const app = createApp({ config, version, log });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.port, config.host, (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' ? 'localhost' : config.host;
  log('info', `listening on http://${host}:${port} (data in ${config.dataDir})`);
  return {
    url: `http://${host}:${port}`,
    port,
    stop: () => new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const running = await start();
    const shutdown = (): void => {
      running.stop().then(() => process.exit(0), () => process.exit(1));
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  } catch (error) {
    process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
