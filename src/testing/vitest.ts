import { describe, expect, test } from 'vitest';
import { compilePromise } from '../artifacts/compile.js';
import { startsCleanly } from '../cli/build.js';
import { bundleContainerScript, bundleWorkflows } from '../cli/bundle.js';
import { listPromises, loadPromise, parseExample, readConfig } from '../cli/project.js';
import { synthPromiseStack, synthRequest, type TerraformJson } from '../terraform/stack.js';
import { decorationsOf } from '../decorate/index.js';
import { evaluatePolicies, planFromConfiguration } from '../policies/index.js';
import type { ResourceRequest } from '../promise/define-promise.js';
import { requestMetadataMap } from '../kratix/request.js';
import { promiseOf } from '../manifests/index.js';
import { validateStacks, type Verdict } from './terraform-validate.js';
import { requestManifests } from '../manifests/index.js';
import { backstageFiles, requestCatalogGroup } from '../backstage/index.js';
import { requestApi } from '../kratix/request.js';
import { backstageValidators, catalogEntities } from './backstage.js';
import { checkFormAgreement, checkFormPrefill } from './form-agreement.js';

/** Options for {@link testPromises}. */
export interface TestPromisesProps {
  /** The platform repository's root (where package.json is). @default process.cwd() */
  readonly root?: string;
  /**
   * A Terraform provider filesystem mirror (`<host>/<namespace>/<type>/<version>/<os_arch>/`);
   * stacks are checked with `terraform validate` against every provider found there, and the
   * check is skipped, with the reason, for a stack needing a provider that is not.
   * @default $KRATIX_CDKTF_PROVIDER_MIRROR, else /opt/tf-plugins
   */
  readonly providerMirror?: string;
}

/**
 * Registers, for every Promise in the project's promises/, tests that it compiles, that its
 * example request is valid, that its stack() synthesizes that request, that its workflow bundle
 * starts in a clean process with no node_modules (as the image runs it), and that the stack
 * passes `terraform validate` against the real provider schema where the provider is available.
 */
export function testPromises(props: TestPromisesProps = {}): void {
  const config = readConfig(props.root ?? process.cwd());
  const mirror = props.providerMirror ?? process.env.KRATIX_CDKTF_PROVIDER_MIRROR ?? '/opt/tf-plugins';
  const names = listPromises(config);
  // One bundler run for all Promises, as synth does, started by the first test that needs it.
  let bundling: ReturnType<typeof bundleWorkflows> | undefined;
  const bundled = () => (bundling ??= bundleWorkflows(config, names));
  test('the project has Promises to test', () => {
    expect(names.length, `no promises/<name>/index.ts under ${config.promisesDir}`).toBeGreaterThan(0);
  });
  const loadings = new Map(names.map((name) => [name, loadPromise(config, name)]));
  // One terraform validate for every stack (a Promise's own under <name>_promise_stack, which no
  // Promise name can be), each a module of one root: the provider schema (the
  // AWS plugin is 700 MB) is loaded once, not once per Promise.
  let validating: Promise<Map<string, Verdict>> | undefined;
  const validated = () =>
    (validating ??= (async () => {
      const stacks = new Map<string, TerraformJson>();
      for (const [name, loading] of loadings) {
        const loaded = await loading;
        if (loaded.definition.stack)
          stacks.set(name, synthRequest(loaded.definition, parseExample(loaded), { labels: requestMetadataMap(loaded.exampleRequest, 'labels') }).json);
        if (loaded.definition.promiseStack) stacks.set(`${name}_promise_stack`, synthPromiseStack(loaded.definition).json);
      }
      return validateStacks(stacks, mirror);
    })());
  describe.each(names)('promises/%s', (name) => {
    const loading = loadings.get(name)!;

    test('compiles, and its example request is valid for its API', async () => {
      const loaded = await loading;
      const result = await compilePromise(loaded.definition, {
        image: 'registry.test/workflow:test',
        exampleRequest: loaded.exampleRequest,
        imagePullSecrets: config.imagePullSecrets ?? [],
        // The manifest files its dependencies name, as synth reads them.
        manifests: loaded.manifests,
      });
      expect(result.ok ? [] : result.issues).toEqual([]);
    });

    test('its stack() and manifests() build the example request', async () => {
      const loaded = await loading;
      const example = parseExample(loaded);
      if (loaded.definition.stack) {
        const stack = synthRequest(loaded.definition, example).json;
        expect(
          Object.keys(stack.resource ?? stack.data ?? stack.output ?? {}).length,
          'the stack declares no resources, data sources or outputs',
        ).toBeGreaterThan(0);
      }
      // Throws, naming the place, when the Promise's own stack cannot be built.
      if (loaded.definition.promiseStack) synthPromiseStack(loaded.definition);
      const manifests = requestManifests(loaded.definition, example);
      if (manifests) {
        expect(manifests.ok ? [] : manifests.issues).toEqual([]);
        expect(manifests.ok && manifests.value.objects.length, 'manifests() returned no objects').toBeGreaterThan(0);
      }
    });

    test('its workflow bundle starts in a clean process with no node_modules, as the image runs it', async () => {
      const { bundles, issues } = await bundled();
      expect(issues.get(name) ?? []).toEqual([]);
      expect(bundles.get(name)!.bytes).toBeLessThanOrEqual(config.bundleBudget);
      expect(startsCleanly(await bundleContainerScript(config, name))).toBeUndefined();
    }, 120_000);

    test('its stack passes terraform validate against the real provider schema', async (ctx) => {
      const verdict = (await validated()).get(name);
      if (!verdict) return ctx.skip('the Promise has no stack()');
      if (verdict.skip) return ctx.skip(verdict.skip);
      expect(verdict.errors).toEqual([]);
    }, 180_000);

    test('its decoration tags every resource whose provider schema takes tags, and no other', async (ctx) => {
      const loaded = await loading;
      const def = loaded.definition;
      if (!(def.decorate ?? []).some((d) => typeof d.tags === 'function')) return ctx.skip('the Promise has no tags() decoration');
      const labels = requestMetadataMap(loaded.exampleRequest, 'labels');
      const checks: { key: string; json: () => TerraformJson; request?: ResourceRequest<unknown> & { labels: Readonly<Record<string, string>> } }[] = [];
      if (def.stack) {
        const request = { ...parseExample(loaded), labels };
        checks.push({ key: name, json: () => synthRequest(def, request, { labels }).json, request });
      }
      if (def.promiseStack) checks.push({ key: `${name}_promise_stack`, json: () => synthPromiseStack(def).json });
      if (!checks.length) return ctx.skip('the Promise has no stack');
      let tagged = 0;
      for (const check of checks) {
        const verdict = (await validated()).get(check.key);
        if (!verdict?.takesTags) return ctx.skip(verdict?.skip ?? 'no provider schema');
        const tags = decorationsOf(def.decorate, 'tags', { promise: promiseOf(def), ...(check.request ? { request: check.request } : {}) });
        expect(tags.ok ? [] : tags.issues).toEqual([]);
        for (const [type, byName] of Object.entries((check.json().resource ?? {}) as Record<string, Record<string, { tags?: unknown }>>)) {
          const takes = verdict.takesTags.get(type);
          if (takes === undefined) continue; // a type no initialized provider knows: validate reports it
          for (const [id, resource] of Object.entries(byName)) {
            if (!takes) expect(resource, `${type}.${id} has no tags argument`).not.toHaveProperty('tags');
            else {
              expect(resource.tags, `${type}.${id}`).toMatchObject(tags.ok ? tags.value : {});
              tagged++;
            }
          }
        }
      }
      // Vacuous otherwise: a stack of nothing taggable needs no tags() decoration.
      expect(tagged, 'no resource of the stack takes tags').toBeGreaterThan(0);
    }, 180_000);

    test('its example request passes its plan policies', async (ctx) => {
      const loaded = await loading;
      const def = loaded.definition;
      if (!def.stack || !def.policies?.length) return ctx.skip('the Promise has no stack or no policies');
      const stack = synthRequest(def, parseExample(loaded), { labels: requestMetadataMap(loaded.exampleRequest, 'labels') }).json;
      const verdict = evaluatePolicies(def.policies, planFromConfiguration(stack));
      expect(verdict.ok ? [] : verdict.issues).toEqual([]);
    });

    test('its decoration labels every Kubernetes object of manifests()', async (ctx) => {
      const loaded = await loading;
      const def = loaded.definition;
      if (!def.manifests || !(def.decorate ?? []).some((d) => typeof d.labels === 'function'))
        return ctx.skip('the Promise has no manifests() or no labels() decoration');
      const labels = requestMetadataMap(loaded.exampleRequest, 'labels');
      const request = { ...parseExample(loaded), labels };
      const expected = decorationsOf(def.decorate, 'labels', { promise: promiseOf(def), request });
      expect(expected.ok ? [] : expected.issues).toEqual([]);
      const manifests = requestManifests(def, request, labels);
      expect(manifests?.ok ? [] : manifests?.issues).toEqual([]);
      for (const { object } of manifests?.ok ? manifests.value.objects : [])
        expect(object.metadata.labels, `${object.kind} ${object.metadata.name}`).toMatchObject(expected.ok ? expected.value : {});
    });

    test('its Backstage form gives every request of a corpus made from its schema the verdict its API gives', async () => {
      const loaded = await loading;
      const example = loaded.exampleRequest as { spec?: unknown } | undefined;
      const agreement = checkFormAgreement(loaded.definition, example?.spec ?? {});
      expect(agreement.disagreements).toEqual([]);
      // Vacuous otherwise: the corpus must hold requests both accept and requests both refuse.
      expect(agreement.accepted, 'no request of the corpus was accepted').toBeGreaterThan(0);
      expect(agreement.refused, 'no request of the corpus was refused').toBeGreaterThan(0);
      // The form's own start (react-jsonschema-form, where installed) can send what the API takes.
      const prefill = await checkFormPrefill(loaded.definition, example?.spec ?? {});
      if (prefill) expect(prefill).toEqual([]);
    });

    test('its Backstage Template and entities pass Backstage’s own validators', async (ctx) => {
      const validate = await backstageValidators();
      if (!validate) return ctx.skip('@backstage/catalog-model and @backstage/plugin-scaffolder-common are not installed');
      const loaded = await loading;
      const def = loaded.definition;
      const api = requestApi(def);
      expect(api.ok ? [] : api.issues).toEqual([]);
      if (!api.ok) return;
      const files = backstageFiles(def, { ...api.value, readme: '# API\n' });
      const entities = [...files].filter(([path]) => path.endsWith('.yaml') && !path.includes('/skeleton/')).flatMap(([, text]) => catalogEntities(text));
      const example = parseExample(loaded);
      // The entity its example request's workflow would write, when the Promise writes one.
      if (def.backstage?.catalog) {
        // Every output the Promise declares, as a run shows them, so its links() see them too.
        const outputs = Object.fromEntries(Object.keys(def.outputs ?? {}).map((name) => [name, `example-${name}`]));
        const group = requestCatalogGroup(def, example, `group:default/${example.metadata.namespace}`, outputs);
        expect(group.ok ? [] : group.issues).toEqual([]);
        if (group.ok) for (const text of group.value.files.values()) entities.push(...catalogEntities(text));
      }
      expect(entities.map((e) => (e as { kind: string }).kind).sort()).toEqual(
        expect.arrayContaining(['API', 'Template', ...(def.backstage?.catalog ? ['Resource'] : [])]),
      );
      for (const entity of entities) await validate(entity);
    });

    test('its promiseStack passes terraform validate against the real provider schema', async (ctx) => {
      const verdict = (await validated()).get(`${name}_promise_stack`);
      if (!verdict) return ctx.skip('the Promise has no promiseStack');
      if (verdict.skip) return ctx.skip(verdict.skip);
      expect(verdict.errors).toEqual([]);
    }, 180_000);
  });
}
