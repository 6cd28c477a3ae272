// A minimal Promise for tests of what renderPromise checks and renders: each test overrides only
// the fields it is about.
import { definePromise, Type } from '../../src/index.js';
import { renderPromise } from '../../src/kratix/promise.js';

export const WIDGET = {
  name: 'widget',
  api: { group: 'test.example.com', version: 'v1alpha1', kind: 'Widget' },
  spec: Type.Object({ size: Type.Integer({ default: 1 }) }),
  stack() {},
};

/** renderPromise on the widget with `overrides`, as synth runs it. */
export const renderWidget = (overrides: Record<string, unknown>) =>
  renderPromise(definePromise({ ...WIDGET, ...overrides } as typeof WIDGET), { image: 'img:1' });
