// Backstage's own checks of catalog entities, as its catalog applies them when it reads a file:
// the entity policies (schema, namespace, no foreign root fields, field formats), then the
// validator of the entity's kind (catalog-model's, and the scaffolder's for Templates). The
// Backstage packages are optional: a platform repository that has not installed them skips.
import { parseAllDocuments } from 'yaml';

/** Backstage's validators, or undefined when `@backstage/catalog-model` or `@backstage/plugin-scaffolder-common` is not installed. */
export async function backstageValidators(): Promise<((entity: unknown) => Promise<void>) | undefined> {
  let model: typeof import('@backstage/catalog-model');
  let scaffolder: typeof import('@backstage/plugin-scaffolder-common');
  try {
    model = await import('@backstage/catalog-model');
    scaffolder = await import('@backstage/plugin-scaffolder-common');
  } catch {
    return undefined;
  }
  const policy = model.EntityPolicies.allOf([
    new model.SchemaValidEntityPolicy(),
    new model.DefaultNamespaceEntityPolicy(),
    new model.NoForeignRootFieldsEntityPolicy(),
    new model.FieldFormatEntityPolicy(),
  ]);
  const kinds = [
    model.apiEntityV1alpha1Validator,
    model.resourceEntityV1alpha1Validator,
    model.locationEntityV1alpha1Validator,
    model.componentEntityV1alpha1Validator,
    scaffolder.templateEntityV1beta3Validator,
  ];
  return async (entity) => {
    const checked = await policy.enforce(structuredClone(entity) as import('@backstage/catalog-model').Entity);
    if (!checked) throw new Error('an entity policy dropped the entity');
    for (const kind of kinds) if (await kind.check(checked)) return;
    throw new Error(`no validator for kind ${JSON.stringify((entity as { kind?: unknown }).kind)}`);
  };
}

/** The entities of a catalog file (one or more YAML documents). */
export function catalogEntities(text: string): unknown[] {
  return parseAllDocuments(text).map((doc) => {
    if (doc.errors.length) throw doc.errors[0];
    return doc.toJS();
  });
}
