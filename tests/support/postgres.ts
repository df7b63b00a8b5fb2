import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface Postgres {
  /** An address of the server's `postgres` database, for making others. */
  url: string;
  stop(): Promise<void>;
}

/** Where Debian's `postgresql` package puts initdb and pg_ctl (the newest version installed), or the PATH. */
function binary(name: 'initdb' | 'pg_ctl'): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  const found = versions.map((v) => path.join(root, v, 'bin', name)).find((p) => existsSync(p));
  return found ?? name;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A throwaway PostgreSQL server of the tests' own: a cluster made by initdb in a temporary folder,
 * started by pg_ctl on a free port, removed when stopped. As root (CI), the cluster belongs to the
 * `postgres` user the Debian package makes, since PostgreSQL refuses to run as root. With
 * TEST_DATABASE_URL set, that server is used instead and nothing is started.
 */
export async function startPostgres(options: { durable?: boolean } = {}): Promise<Postgres> {
  const given = process.env.TEST_DATABASE_URL;
  if (given) return { url: given, stop: () => Promise.resolve() };
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sim-pg-'));
  const data = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const as = async (command: string, args: string[]): Promise<void> => {
    await (asRoot ? run('runuser', ['-u', 'postgres', '--', command, ...args]) : run(command, args));
  };
  if (asRoot) {
    const { uid, gid } = await postgresUser();
    await chown(dir, uid, gid);
  }
  await as(binary('initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
  const port = await freePort();
  // Durability off for tests (a test cluster that loses its data on a crash loses nothing of value);
  // on for the bench, as in production.
  const durability = options.durable ? '' : ' -c fsync=off -c synchronous_commit=off -c full_page_writes=off';
  const settings = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=300${durability}`;
  await as(binary('pg_ctl'), ['-D', data, '-o', settings, '-l', path.join(dir, 'log'), '-w', 'start']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await as(binary('pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const { stdout } = await run('id', ['postgres']);
  const uid = /uid=(\d+)/.exec(stdout)?.[1];
  const gid = /gid=(\d+)/.exec(stdout)?.[1];
  if (!uid || !gid) throw new Error('no postgres user: install Debian\'s postgresql package (npm run setup)');
  return { uid: Number(uid), gid: Number(gid) };
}

/** A new, empty database on the server, and its address: each test server gets one of its own. */
export async function freshDatabase(serverUrl: string): Promise<string> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
