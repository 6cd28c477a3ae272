// A minimal Promise for tests of what renderPromise checks and renders: each test overrides only
// the fields it is about.
import { definePromise, tofuController, Type } from '../../src/index.js';
import { renderPromise } from '../../src/kratix/promise.js';

/** A Flux source as a platform team would create it for tofu-controller (README). */
export const SOURCE_REF = { kind: 'GitRepository', name: 'kratix-cdktf', namespace: 'flux-system' } as const;

export const WIDGET = {
  name: 'widget',
  api: { group: 'test.example.com', version: 'v1alpha1', kind: 'Widget' },
  spec: Type.Object({ size: Type.Integer({ default: 1 }) }),
  // No clean-up CronJob: the tests of dependencies count exactly the author's.
  delivery: tofuController({ sourceRef: SOURCE_REF, cleanUp: false }),
  stack() {},
};

/** renderPromise on the widget with `overrides`, as synth runs it. */
export const renderWidget = (overrides: Record<string, unknown>) =>
  renderPromise(definePromise({ ...WIDGET, ...overrides } as typeof WIDGET), { image: 'img:1' });
