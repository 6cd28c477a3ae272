// Every message the schema folder produces, kept together so the wording is reviewed in one place.
import type { Issue } from './issue.js';

export const noType = (path: string): Issue => ({
  path,
  message: 'has no type; a structural CRD schema needs one on every node',
  fix: 'use a concrete Type.String(), Type.Object({...}), Type.Record(...) instead of Type.Any()/Type.Unknown()',
});

export const unsupportedType = (path: string, type: unknown): Issue => ({
  path,
  message: `type ${JSON.stringify(type)} has no JSON form in a Kubernetes API`,
  fix: 'use string, integer, number, boolean, object or array',
});

export const typeUnion = (path: string): Issue => ({
  path,
  message: 'a union of different types has no structural CRD form',
  fix: 'use a union of literals (becomes an enum), Type.Union([X, Type.Null()]) (nullable), Type.Union([Type.Integer(), Type.String()]) (int-or-string), or one object with optional fields',
});

export const forbiddenKeyword = (path: string, keyword: string): Issue => ({
  path,
  message: `keyword "${keyword}" is not allowed in a structural CRD schema`,
  fix: keywordFix[keyword] ?? 'remove it, or express the rule with x-kubernetes-validations (CEL)',
});

const keywordFix: Record<string, string> = {
  $ref: 'inline the referenced schema (Type.Ref/Type.Recursive are not supported)',
  allOf: 'merge the schemas into one Type.Object (Type.Composite), or use a CEL rule',
  oneOf: 'use a union of literals, or one object with optional fields and a CEL rule',
  not: 'express the rule with x-kubernetes-validations (CEL)',
  prefixItems: 'use Type.Array of one item type; tuples have no CRD form',
  additionalItems: 'use Type.Array of one item type; tuples have no CRD form',
};

export const unknownKeyword = (path: string, keyword: string): Issue => ({
  path,
  message: `unknown schema keyword "${keyword}"`,
  fix: 'check the spelling; kratix-cdktf accepts JSON Schema keywords Kubernetes supports, x-kubernetes-* and printerColumn',
});

export const keywordNotForType = (path: string, keyword: string, type: string): Issue => ({
  path,
  message: `keyword "${keyword}" does not apply to type ${type}`,
  fix: `remove "${keyword}"`,
});

export const mapKeysNotStrings = (path: string): Issue => ({
  path,
  message: 'a map whose keys are not arbitrary strings has no CRD form',
  fix: 'use Type.Record(Type.String(), ...) and check the keys with a CEL rule',
});

export const propertiesWithAdditional = (path: string): Issue => ({
  path,
  message: 'an object cannot have both properties and additionalProperties in a CRD',
  fix: 'move the free-form part into its own Type.Record field',
});

export const emptyObject = (path: string): Issue => ({
  path,
  message: 'an object with no properties would have every field pruned by Kubernetes',
  fix: 'declare its properties, or use Type.Record(Type.String(), ...) for a map',
});

export const tupleItems = (path: string): Issue => ({
  path,
  message: 'an array with per-position item types (a tuple) has no CRD form',
  fix: 'use Type.Array(item) with one item type',
});

export const uniqueObjects = (path: string): Issue => ({
  path,
  message: 'uniqueItems on an array of non-scalars is forbidden by Kubernetes',
  fix: 'remove uniqueItems, or use x-kubernetes-list-type: map with x-kubernetes-list-map-keys',
});

export const unsupportedFormat = (path: string, format: string, known: readonly string[]): Issue => ({
  path,
  message: `format "${format}" is not one Kubernetes validates`,
  fix: `use one of: ${known.join(', ')}; or a pattern`,
});

export const badPattern = (path: string, pattern: string, reason: string): Issue => ({
  path,
  message: `pattern ${JSON.stringify(pattern)} is not valid RE2, the syntax Kubernetes uses: ${reason}`,
  fix: 'no lookarounds or backreferences; check the pattern at https://pkg.go.dev/regexp/syntax',
});

export const invalidDefault = (path: string, value: unknown, reason: string): Issue => ({
  path,
  message: `default ${JSON.stringify(value)} is invalid: ${reason}`,
  fix: 'change the default so the field accepts it, or relax the constraint',
});

export const badCelRule = (path: string, rule: string, reason: string): Issue => ({
  path,
  message: `CEL rule ${JSON.stringify(rule)} does not parse: ${reason}`,
});

export const celUnsupportedFunctions = (path: string, rule: string, names: readonly string[]): Issue => ({
  path,
  message: `CEL rule ${JSON.stringify(rule)} calls ${names.join(', ')}, which the workflow cannot evaluate (Kubernetes-specific CEL libraries), so it would refuse every request`,
  fix: 'express the rule with standard CEL and the string functions (lowerAscii, split, indexOf, ...), or use pattern/format',
});

export const celRuleNeedsMessage = (path: string, rule: string): Issue => ({
  path,
  message: `CEL rule ${JSON.stringify(rule)} has no message; users would only see the raw rule`,
  fix: 'add message: "..." saying what the user must change',
});

export const celOldSelf = (path: string, rule: string): Issue => ({
  path,
  message: `CEL rule ${JSON.stringify(rule)} uses oldSelf (a transition rule), which kratix-cdktf cannot check in the workflow`,
  fix: 'keep transition rules out of the spec schema for now; the API server would still enforce them, the workflow would not',
});

export const badPrinterColumn = (path: string, reason: string): Issue => ({
  path,
  message: `printerColumn: ${reason}`,
  fix: 'mark a string, integer, number or boolean field that is not inside an array or map',
});

export const exclusiveBoth = (path: string, keyword: string): Issue => ({
  path,
  message: `both ${keyword.replace('exclusive', '').toLowerCase()} and ${keyword} are set`,
  fix: `keep only one of them`,
});
