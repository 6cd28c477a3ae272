// Every message the kratix folder produces, kept together so the wording is reviewed in one place.
import type { Issue } from '../schema/issue.js';

// A value an author wrote, as they would recognize it (JSON shows NaN as null).
const show = (value: unknown): string => (typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value)));

export const badName = (path: string, value: string, problem: string, fix?: string): Issue => ({
  path,
  message: `${JSON.stringify(value)} ${problem}`,
  ...(fix ? { fix } : {}),
});

export const groupNeedsDot = (group: string): Issue => ({
  path: 'api.group',
  message: `${JSON.stringify(group)} must contain a dot; Kubernetes reserves single-word groups`,
  fix: 'use a domain you own, e.g. "data.example.com"',
});

export const pipelineNameTooLong = (path: string, full: string): Issue => ({
  path,
  message: `"${full}" is ${full.length} characters; Kratix names RBAC objects after it and allows at most 60`,
  fix: 'shorten the Promise name or the pipeline name',
});

export const badBackoffLimit = (value: unknown, fallback: number): Issue => ({
  path: 'workflow.backoffLimit',
  message: `${show(value)} is not a number of restarts; Kubernetes takes a whole number from 0`,
  fix: `leave it out for ${fallback} restarts, or use a small whole number; 0 fails the run at its first crash`,
});

export const pullSecretsNotAList = (path: string, value: unknown): Issue => ({
  path,
  message: `${show(value)} is not a list of Secret names`,
  fix: 'list the names of the registry Secrets, e.g. ["regcred"]',
});

export const envNotAList = (value: unknown): Issue => ({
  path: 'workflow.env',
  message: `${show(value)} is not a list of environment variables`,
  fix: "list them as Kubernetes does, e.g. [{ name: 'AWS_REGION', value: 'eu-west-1' }]",
});

export const envWithoutName = (i: number, value: unknown): Issue => ({
  path: `workflow.env[${i}]`,
  message: `${show(value)} has no name`,
  fix: "give each variable a name and a value or valueFrom, e.g. { name: 'AWS_REGION', value: 'eu-west-1' }",
});

export const envTwice = (i: number, name: string, first: number): Issue => ({
  path: `workflow.env[${i}].name`,
  message: `${show(name)} is already set by workflow.env[${first}]; the container would get only one of them`,
  fix: 'keep one of the two',
});

export const envSetByDelivery = (i: number, name: string, delivery: string): Issue => ({
  path: `workflow.env[${i}].name`,
  message: `${show(name)} is set by the ${delivery} delivery for its own calls (the cluster's CA, a token); the container would get only one of the two values`,
  fix: `remove workflow.env[${i}]`,
});

export const badPullSecret = (path: string, value: unknown, problem: string): Issue => ({
  path,
  message: `${show(value)} ${problem}`,
  fix: 'name a Secret of type kubernetes.io/dockerconfigjson in the namespace the pipelines run in, e.g. "regcred"',
});

export const badPipelineNamespace = (value: unknown, problem: string): Issue => ({
  path: 'delivery.pipelineNamespace',
  message: `${show(value)} ${problem}`,
  fix: 'name an existing namespace of the platform cluster, e.g. "kratix-cdktf"',
});

export const destinationLabelsNotAMap = (value: unknown): Issue => ({
  path: 'delivery.destinationLabels',
  message: `${show(value)} is not a map of label keys to values`,
  fix: "write the labels that pick the destinations running the delivery's controller, e.g. { tofu: 'enabled' }",
});

export const destinationLabelsEmpty = (): Issue => ({
  path: 'delivery.destinationLabels',
  message: "is empty; Kratix's work-writer fails every run whose destination-selectors.yaml has an entry without labels",
  fix: 'leave destinationLabels out, or give it the labels that pick the destination',
});

export const badDestinationLabel = (key: string, part: 'key' | 'value', text: unknown, problem: string): Issue => ({
  path: `delivery.destinationLabels.${key}`,
  message: `label ${part} ${show(text)} ${problem}`,
  fix: 'use a Kubernetes label key and value, as on the Destination objects',
});

export const destinationLabelOverlap = (key: string, value: unknown, index: number, promiseValue: string): Issue => ({
  path: `delivery.destinationLabels.${key}`,
  message:
    promiseValue === value
      ? `is also in destinationSelectors[${index}].matchLabels with the same value, so it changes nothing`
      : `is also in destinationSelectors[${index}].matchLabels; Kratix merges the two and keeps the Promise's value ${show(promiseValue)}, so the objects would never be sent where ${show(key)} is ${show(value)}`,
  fix: `remove ${show(key)} from one of the two: destinationLabels only narrow where the Promise's destinationSelectors send requests`,
});

export const duplicatePipeline = (path: string, name: string): Issue => ({
  path,
  message: `pipeline name "${name}" is used twice in the same workflow`,
  fix: 'give each pipeline a unique name',
});

export const duplicateContainer = (path: string, name: string): Issue => ({
  path,
  message: `container name "${name}" is used twice in one pipeline`,
  fix: 'give each container a unique name',
});

export const unknownContainerField = (path: string, field: string): Issue => ({
  path,
  message: `"${field}" is not a container field Kratix accepts`,
  fix: 'use only name, image, command, args, env, envFrom, volumeMounts, imagePullPolicy, securityContext, resources',
});

export const badOutputName = (name: string): Issue => ({
  path: `outputs.${name}`,
  message: 'is not a valid Terraform output name',
  fix: 'use letters, digits, "_" and "-", starting with a letter',
});

export const reservedOutputName = (name: string): Issue => ({
  path: `outputs.${name}`,
  message: 'is the output kratix-cdktf records the owning request in',
  fix: 'choose another name',
});

export const badOutputColumn = (at: string, reason: string, fix: string): Issue => ({ path: `${at}.printerColumn`, message: reason, fix });

export const duplicateColumn = (path: string, column: string, first: string): Issue => ({
  path,
  message: `names the column ${JSON.stringify(column)}, which ${first} names already`,
  fix: 'give each printer column its own name',
});

export const badDependency = (path: string, reason: string): Issue => ({
  path,
  message: `dependency ${reason}`,
  fix: 'give every dependency apiVersion, kind and metadata.name',
});

export const badManifestPath = (path: string, file: string, problem: string): Issue => ({
  path,
  message: `manifestFile(${JSON.stringify(file)}) ${problem}`,
  fix: 'keep the file in the Promise folder and name it relative to it, e.g. manifestFile("crds/operator.yaml")',
});

export const manifestNotRead = (path: string, file: string): Issue => ({
  path,
  message: `manifestFile(${JSON.stringify(file)}) was not read`,
  fix: 'compile with npm run synth, or pass the folder in tests: synthPromise(def, example, { promiseDir: import.meta.dirname })',
});

export const manifestFileMissing = (path: string, file: string, folder: string): Issue => ({
  path,
  message: `${file}: no such file in ${folder}`,
  fix: `put the file in ${folder} or correct the path; it is relative to the Promise folder`,
});

export const manifestFileUnreadable = (path: string, file: string, reason: string): Issue => ({
  path,
  message: `${file}: cannot be read: ${reason}`,
});

export const manifestFileOutside = (path: string, file: string, folder: string): Issue => ({
  path,
  message: `${file}: resolves (through a symbolic link) to a file outside ${folder}`,
  fix: 'copy the file into the Promise folder',
});

export const manifestNotYaml = (path: string, file: string, where: string, reason: string): Issue => ({
  path,
  message: `${file}: ${where} is not valid YAML: ${reason}`,
});

export const manifestDocumentProblem = (path: string, file: string, where: string, problem: string): Issue => ({
  path,
  message: `${file}: ${where} ${problem}`,
  fix: 'each document must be one Kubernetes object with apiVersion, kind and metadata.name',
});

export const emptyManifestFile = (path: string, file: string): Issue => ({
  path,
  message: `${file}: holds no Kubernetes object`,
  fix: 'add the manifests, or remove the dependency',
});

export const duplicateDependency = (path: string, object: string, first: string): Issue => ({
  path,
  message: `${object} is also ${first}; a Destination would get two copies of one object`,
  fix: 'keep one of them',
});
