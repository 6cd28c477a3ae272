// A dependency kept as a YAML file beside the Promise's index.ts. The file is read by the
// compiler (npm run synth), never by the Promise module, because the workflow container runs a
// bundle in which the module's folder does not exist.

// Symbol.for, not a module-local symbol: the CLI and a Promise may load this module twice (from
// a package and from a checkout) and must still recognize each other's markers.
const BRAND = Symbol.for('kratix-cdktf.ManifestFile');

/** A reference to a YAML file of Kubernetes manifests in the Promise's folder; see {@link manifestFile}. */
export interface ManifestFile {
  /** Path relative to the Promise's folder `promises/<name>/`, as written. */
  readonly path: string;
  readonly [BRAND]: true;
}

/**
 * Names a YAML file of Kubernetes manifests (one or more documents) in the Promise's folder as a
 * dependency. `npm run synth` reads it; each document must be an object with `apiVersion`,
 * `kind` and `metadata.name`.
 * @example
 * dependencies: [manifestFile('crds/operator.yaml')], // promises/<name>/crds/operator.yaml
 */
export function manifestFile(path: string): ManifestFile {
  return Object.freeze({ path, [BRAND]: true as const });
}

/** True for what {@link manifestFile} returned. */
export function isManifestFile(value: unknown): value is ManifestFile {
  return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
}

/**
 * Why a manifest file path is not acceptable, or undefined: it must be relative, use `/`, and
 * stay inside the Promise's folder, so the Promise and its generated files never depend on
 * anything outside it.
 */
export function manifestPathProblem(path: unknown): string | undefined {
  if (typeof path !== 'string' || path === '') return 'needs a path relative to the Promise folder';
  if (path.includes('\\')) return 'uses "\\"; write paths with "/"';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'is absolute; it must be relative to the Promise folder';
  const segments = path.split('/');
  if (segments.includes('..')) return 'leaves the Promise folder ("..")';
  if (segments.some((s, i) => s === '' || (s === '.' && i > 0)) || segments.at(-1) === '.') return 'is not a plain file path';
  return undefined;
}
