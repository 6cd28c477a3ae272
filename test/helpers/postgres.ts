// A private PostgreSQL server on loopback for the pg backend tests: a fresh cluster in a temp
// folder, password authentication, a free port; stopped and removed at the end.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPostgres {
  readonly connStr: string;
  readonly password: string;
  /** Runs SQL with psql and returns its unaligned output. */
  query(sql: string): string;
  stop(): void;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const found = versions.map((v) => join(root, v, 'bin')).find((dir) => existsSync(join(dir, 'initdb')));
  if (!found) throw new Error('PostgreSQL is not installed: apt-get install -y postgresql (as .ci/run does)');
  return found;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

// initdb and postgres refuse to run as root; the Debian package creates a postgres user.
function asPostgres(command: string, args: string[]): ReturnType<typeof spawnSync> {
  const root = process.getuid?.() === 0;
  return root ? spawnSync('runuser', ['-u', 'postgres', '--', command, ...args], { encoding: 'utf8' }) : spawnSync(command, args, { encoding: 'utf8' });
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'kratix-cdktf-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const password = `pw-${Math.random().toString(36).slice(2)}-Zq9`;
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, password);
  if (process.getuid?.() === 0) {
    chownSync(dir, uid('postgres'), -1);
    chownSync(pwfile, uid('postgres'), -1);
  }
  const init = asPostgres(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '--no-sync']);
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  const start = asPostgres(join(bin, 'pg_ctl'), [
    '-D',
    data,
    '-w',
    '-l',
    join(dir, 'log'),
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
    'start',
  ]);
  if (start.status !== 0) throw new Error(`pg_ctl start failed: ${start.stderr}${start.stdout}`);
  const connStr = `postgres://postgres:${password}@127.0.0.1:${port}/postgres?sslmode=disable`;
  return {
    connStr,
    password,
    query(sql) {
      const run = spawnSync('psql', [connStr, '-Atqc', sql], { encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`psql failed: ${run.stderr}`);
      return run.stdout.trim();
    },
    stop() {
      asPostgres(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function uid(user: string): number {
  const run = spawnSync('id', ['-u', user], { encoding: 'utf8' });
  return Number(run.stdout.trim());
}
