// Every message the kratix folder produces, kept together so the wording is reviewed in one place.
import type { Issue } from '../schema/issue.js';

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

export const badDependency = (path: string, reason: string): Issue => ({
  path,
  message: `dependency ${reason}`,
  fix: 'give every dependency apiVersion, kind and metadata.name',
});
