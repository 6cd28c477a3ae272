/** How a synthesized stack reaches Terraform. */
export type Delivery = TofuControllerDelivery;

/** Options for {@link tofuController}. */
export interface TofuControllerProps {
  /**
   * Namespace on the destination where tofu-controller watches `Terraform` objects.
   * @default "flux-system"
   */
  readonly namespace?: string;
  /**
   * A Flux source tofu-controller must name (its CRD requires one). The stack itself travels in a
   * Secret through `fileMappings`, so this only has to exist: the Kratix state store's own source
   * on the destination is the natural choice.
   * @default { kind: 'GitRepository', name: 'kratix', namespace: 'flux-system' }
   */
  readonly sourceRef?: { readonly kind: 'GitRepository' | 'Bucket' | 'OCIRepository'; readonly name: string; readonly namespace?: string };
  /**
   * How often tofu-controller reconciles (and corrects drift).
   * @default "10m"
   */
  readonly interval?: string;
  /**
   * Apply plans without a human: `"auto"`. Leave unset to require `approvePlan: <plan id>` by hand.
   * @default "auto"
   */
  readonly approvePlan?: 'auto' | undefined;
  /**
   * Service account of the runner pod, which needs the cloud credentials.
   * @default tofu-controller's default ("tf-runner")
   */
  readonly serviceAccountName?: string;
  /**
   * Kratix destination labels for the controller objects, when they must go to a different
   * destination from the Promise's default (written to destination-selectors.yaml).
   * @default none: the Promise's destinationSelectors decide
   */
  readonly destinationLabels?: Readonly<Record<string, string>>;
}

/** Delivery through GitOps: the workflow writes the stack and a Flux tofu-controller `Terraform` object. */
export interface TofuControllerDelivery extends TofuControllerProps {
  readonly kind: 'tofu-controller';
}

/**
 * Delivers each request's stack to Flux tofu-controller on the destination, through Kratix's
 * GitOps scheduling: tofu-controller plans and applies it, destroys it when the request is
 * deleted, and writes its outputs to a Secret.
 * @example definePromise({ ..., delivery: tofuController({ namespace: 'flux-system' }) })
 */
export function tofuController(props: TofuControllerProps = {}): TofuControllerDelivery {
  return { kind: 'tofu-controller', ...props };
}
