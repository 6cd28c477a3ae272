// The one module of the library that imports CDK for Terraform. cdktf was archived on 2025-12-10;
// its community fork CDK Terrain publishes the same API as `cdktn`. Switching the library is
// changing the package name on the import line below (scripts/cdktn-check.sh makes exactly that
// change in a scratch copy and runs the tests). Public API only: no `cdktf/lib/...` deep imports,
// whose paths and exports a fork is free to change.
import {
  Annotations,
  App,
  Aspects,
  DataResource,
  Fn,
  Lazy,
  TerraformHclModule,
  TerraformOutput,
  TerraformRemoteState,
  TerraformResource,
  TerraformStack,
  TerraformVariable,
  Token,
  type IAspect,
} from 'cdktf';
import type { IConstruct } from 'constructs';

export {
  App,
  Aspects,
  DataResource,
  Fn,
  Lazy,
  TerraformHclModule,
  TerraformOutput,
  TerraformRemoteState,
  TerraformResource,
  TerraformStack,
  TerraformVariable,
  Token,
};
export type { IAspect };

/** The warning cdktf records when an aspect adds another aspect while it is being invoked. */
export const NESTED_ASPECT_WARNING = 'We detected an Aspect was added via another Aspect, and will not be applied';

/**
 * Returns a stack's Terraform JSON as `App.synth()` would write it to `cdk.tf.json`, in memory:
 * the stack is prepared and its aspects invoked first, as cdktf's synthesizer does, but no
 * validations run (the App's `skipValidation`) and no files are written.
 */
export function stackToTerraform(stack: TerraformStack): Record<string, unknown> {
  stack.prepareStack();
  invokeAspects(stack);
  return stack.toTerraform() as Record<string, unknown>;
}

/**
 * Visits every construct under `root` (itself included) with the aspects added on it and on each
 * of its scopes up to `root`, top-down, each aspect at most once per construct. The same rules
 * as cdktf's internal `invokeAspects`, which App.synth() calls for every stack, rebuilt on the
 * public `Aspects` API; test/terraform/cdktf-seam.test.ts compares the two.
 */
export function invokeAspects(root: IConstruct): void {
  const invokedByPath = new Map<string, IAspect[]>();
  let nestedAspectWarned = false;
  visit(root, []);

  function visit(construct: IConstruct, inherited: readonly IAspect[]): void {
    const aspects = Aspects.of(construct);
    // A snapshot: aspects added while these run are neither invoked here nor inherited below.
    const here = [...inherited, ...aspects.all];
    const ownCount = aspects.all.length;
    let invoked = invokedByPath.get(construct.node.path);
    if (!invoked) invokedByPath.set(construct.node.path, (invoked = []));
    for (const aspect of here) {
      if (invoked.includes(aspect)) continue;
      aspect.visit(construct);
      // Once per run, like cdktf: a warning on the first construct where it happens.
      if (!nestedAspectWarned && aspects.all.length !== ownCount) {
        Annotations.of(construct).addWarning(NESTED_ASPECT_WARNING);
        nestedAspectWarned = true;
      }
      invoked.push(aspect);
    }
    // Read after the aspects ran: constructs they added are visited too.
    for (const child of construct.node.children) visit(child, here);
  }
}
