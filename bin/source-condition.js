// A module resolution hook for checkouts of kratix-cdktf: `kratix-cdktf` and its subpaths resolve
// with the "kratix-cdktf-source" condition, to the TypeScript sources rather than to lib/.
const SOURCE = 'kratix-cdktf-source';

export async function resolve(specifier, context, next) {
  if (specifier === 'kratix-cdktf' || specifier.startsWith('kratix-cdktf/')) {
    return next(specifier, { ...context, conditions: [...context.conditions, SOURCE] });
  }
  return next(specifier, context);
}
