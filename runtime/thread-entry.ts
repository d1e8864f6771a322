/**
 * How to start a thread on one of weir's modules. From source (tests,
 * scripts) the module is TypeScript, so tsx's loader is registered in the new
 * thread first; built, it is plain JavaScript and starts directly.
 */

/** The module `name` (without extension) beside `base`, and the Worker entry that runs it. */
export function threadEntry(
  name: string,
  base: string,
): { readonly entry: string | URL; readonly eval: boolean } {
  const fromSource = base.endsWith('.ts')
  const url = new URL(`${name}${fromSource ? '.ts' : '.js'}`, base)
  if (!fromSource) return { entry: url, eval: false }
  return {
    entry: `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url.href)}) })`,
    eval: true,
  }
}
