import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import { SECRET_REF } from './structural.js';

export { Type };
export type { TObject, TSchema };

/**
 * The TypeScript type of a spec schema: what the stack function receives, defaults applied.
 * @example type PostgresSpec = Infer<typeof spec>;
 */
export type Infer<T extends TSchema> = Static<T>;

/** Options for {@link secretRef}. */
export interface SecretRefProps {
  /** What the secret is for, shown in the API docs. */
  readonly description?: string;
}

/**
 * A field that names a key of a Kubernetes Secret in the request's namespace, instead of
 * carrying a secret value in the request. The value is resolved at apply time and never
 * written to the workflow's output or to status.
 * @example dbPassword: secretRef({ description: 'Admin password' })
 */
export function secretRef(props: SecretRefProps = {}) {
  return Type.Object(
    {
      name: Type.String({
        description: 'Name of the Secret, in the same namespace as this request.',
        pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$',
        maxLength: 253,
      }),
      key: Type.String({ description: 'Key inside the Secret.', pattern: '^[-._a-zA-Z0-9]+$', maxLength: 253 }),
    },
    { [SECRET_REF]: true, ...(props.description ? { description: props.description } : {}) },
  );
}
