// The delivery of a Promise with `manifests()` and no `stack()`: no Terraform at all. The
// workflow writes the request's Kubernetes objects to /kratix/output (src/manifests), Kratix
// schedules them with the request's Work and removes them when the request is deleted.
import type { PromiseDefinition } from '../../promise/define-promise.js';
import type { Issue } from '../../schema/issue.js';
import { condition } from '../../workflow/status.js';
import type { Delivery, DeliveryResult, DeliveryRun, PipelineNeeds } from '../delivery.js';

export const manifestsOnly: Delivery = {
  kind: 'manifests',
  runsTerraform: false,
  check(def: PromiseDefinition): Issue[] {
    if (def.outputs && Object.keys(def.outputs).length)
      return [
        { path: 'outputs', message: 'are Terraform outputs, and this Promise has no stack()', fix: 'remove outputs, or add a stack() that returns them' },
      ];
    return [];
  },
  pipeline(): PipelineNeeds {
    return { permissions: [], env: [] };
  },
  configure(run: DeliveryRun): DeliveryResult {
    return {
      files: new Map(),
      status: { message: '' },
      stackMessage: 'No Terraform stack: the Promise writes Kubernetes manifests only',
      // Kratix applies the Work on the Destinations; the workflow cannot see when.
      conditions: [
        condition('Ready', 'Unknown', 'ScheduledByKratix', 'Kratix schedules the manifests to the Destinations; the workflow cannot see them applied', run.now),
      ],
    };
  },
  delete: { message: 'nothing to do: Kratix removes the manifests with the request’s Work' },
  warmUp(): void {},
};
