// requiredPromises as Kratix reads it (api/v1alpha1/promise_types.go, promise_controller.go): each
// entry a Promise's metadata.name and, optionally, the kratix.io/promise-version label it must
// carry; until all are installed, Kratix keeps this Promise's requests waiting.
import { describe, expect, test } from 'vitest';
import { crdValidator } from '../helpers/upstream.js';
import { renderWidget } from '../helpers/widget.js';

describe('requiredPromises', () => {
  test('are written as given, valid for the Kratix Promise CRD; version is optional', () => {
    const required = [{ name: 'postgres', version: 'v1.2.0' }, { name: 'bucket' }];
    const rendered = renderWidget({ requiredPromises: required });
    if (!rendered.ok) throw new Error(JSON.stringify(rendered.issues));
    const promise = rendered.value.promise as { spec: { requiredPromises: unknown } };
    expect(promise.spec.requiredPromises).toEqual(required);
    expect(crdValidator('kratix/platform.kratix.io_promises.yaml')(promise)).toEqual([]);
  });

  test('none: no key at all', () => {
    const rendered = renderWidget({ requiredPromises: [] });
    expect(rendered.ok && (rendered.value.promise as { spec: object }).spec).not.toHaveProperty('requiredPromises');
  });

  test.each([
    ['a name that is no object name', [{ name: 'Postgres_DB' }], 'requiredPromises[0].name', /is not a Promise name/],
    ['no name', [{ version: 'v1' }], 'requiredPromises[0].name', /must be a string/],
    ['this Promise itself', [{ name: 'widget' }], 'requiredPromises[0].name', /names this Promise itself/],
    ['the same Promise twice', [{ name: 'postgres' }, { name: 'postgres', version: 'v2' }], 'requiredPromises[1].name', /a second time/],
    [
      'a version no label can hold',
      [{ name: 'postgres', version: 'v1.2.0 beta' }],
      'requiredPromises[0].version',
      /cannot be a kratix.io\/promise-version label/,
    ],
    ['an empty version', [{ name: 'postgres', version: '' }], 'requiredPromises[0].version', /cannot be a kratix.io\/promise-version label/],
    ['not a list', { name: 'postgres' }, 'requiredPromises', /is not a list/],
  ])('%s is refused with the field, the reason and a fix', (_what, requiredPromises, path, reason) => {
    const rendered = renderWidget({ requiredPromises });
    expect(rendered.ok).toBe(false);
    const issues = rendered.ok ? [] : rendered.issues;
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path, message: expect.stringMatching(reason), fix: expect.any(String) });
  });
});
