// Messages about the generated files as a whole, kept together so the wording is reviewed in one place.
import type { Issue } from '../schema/issue.js';

export const badDependencyDelivery = (value: unknown): Issue => ({
  path: 'dependencyDelivery',
  message: `${JSON.stringify(value)} is not 'auto', 'inline' or 'workflow'`,
  fix: "leave it out ('auto') unless you must pin where the dependencies go",
});

export const promiseTooBig = (size: { yaml: number; annotation: number }, limit: number, dependenciesInline: boolean): Issue => ({
  path: dependenciesInline ? 'dependencyDelivery' : 'spec',
  message:
    `promise.yaml would be ${size.yaml} bytes${dependenciesInline ? ' with the dependencies inline' : ''} (${size.annotation} in kubectl's last-applied-configuration annotation); ` +
    `kubectl apply copies the whole Promise into that annotation, and Kubernetes refuses annotations over ${limit} bytes (256 KiB)`,
  fix: dependenciesInline
    ? "remove dependencyDelivery: 'inline' (or set 'workflow'): a Promise configure workflow then writes the dependencies and promise.yaml stays small"
    : 'shorten the spec schema (descriptions, enums, CEL rules), or split the Promise',
});

export const dependenciesTooBig = (gzipped: number, limit: number): Issue => ({
  path: 'dependencies',
  message: `the dependencies are ${gzipped} bytes gzipped; Kratix keeps a workflow's output as a Work in etcd, so at most ${limit} are allowed`,
  fix: 'move some of them into a Promise of their own, and list it in requiredPromises',
});
