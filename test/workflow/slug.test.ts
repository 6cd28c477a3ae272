// The per-request name (slug) that separates requests' workspaces, state and files.
import { createHash } from 'node:crypto';
import { expect, test } from 'vitest';
import { physicalName } from '../../src/index.js';
import { requestOwner } from '../../src/delivery/owner.js';
import { requestSlug } from '../../src/workflow/run.js';

const request = (namespace: string, name: string) => ({ metadata: { namespace, name } });

test('a slug is a DNS label of at most 52 characters that ends in 80 bits of SHA-256 of promise, namespace and name', () => {
  const long = 'a'.repeat(63);
  const slug = requestSlug('postgres', request('team-a', long));
  expect(slug).toMatch(/^[a-z][a-z0-9-]{0,50}[a-z0-9]$/);
  expect(slug.length).toBeLessThanOrEqual(52);
  const hash = createHash('sha256').update(`postgres/team-a/${long}`).digest('hex').slice(0, 20);
  expect(slug).toBe(`postgres-team-a-${'a'.repeat(15)}-${hash}`);
});

test('long names that share their visible part get different slugs, and the owner names the request exactly', () => {
  const names = Array.from({ length: 2000 }, (_, i) => `${'x'.repeat(50)}-${i}`);
  const slugs = new Set(names.map((n) => requestSlug('echo', request('team-a', n))));
  expect(slugs.size).toBe(names.length);
  expect(requestOwner('echo', request('team-a', names[7]!).metadata)).toBe(`echo/team-a/${names[7]}`);
});

test('physicalName keeps its 8 hex digits unless asked for more', () => {
  expect(physicalName(request('ns', 'db'), { prefix: 'pg' })).toMatch(/^pg-ns-db-[0-9a-f]{8}$/);
  expect(physicalName(request('ns', 'db'), { prefix: 'pg', hashLength: 16 })).toMatch(/^pg-ns-db-[0-9a-f]{16}$/);
});
