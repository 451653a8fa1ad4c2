/**
 * Every manifest object checked against the Kubernetes API, twice, from the
 * `kubernetes-models` package (generated from Kubernetes' OpenAPI, see docs/dependencies.md):
 * - its JSON-schema validators (types, required fields, enums, formats), as the API server's;
 * - its TypeScript interfaces, compiled with the object as a literal, for what the schemas
 *   let through: a field Kubernetes does not know (`readinesProbe`), which `kubectl apply`
 *   refuses (strict field validation) and which would otherwise just be missing.
 */
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { KubeObject } from './kustomize.js';

/** `apps/v1` + `Deployment` → the package's module for it (`kubernetes-models/apps/v1/Deployment`). */
const modelPath = ({ apiVersion, kind }: Pick<KubeObject, 'apiVersion' | 'kind'>) =>
  `kubernetes-models/${apiVersion}/${kind}`;

const withoutSource = ({ source: _source, ...object }: KubeObject) => object;

/** The schema's complaints about an object (empty when valid); throws for a kind the package lacks. */
export async function schemaErrors(object: KubeObject): Promise<string[]> {
  const module = (await import(modelPath(object))) as Record<string, new (data: unknown) => { validate(): void }>;
  const Model = module[object.kind];
  if (!Model) throw new Error(`${object.source}: kubernetes-models has no ${object.apiVersion} ${object.kind}`);
  try {
    new Model(withoutSource(object)).validate();
    return [];
  } catch (err) {
    const errors = (err as { errors?: { instancePath: string; message?: string }[] }).errors;
    if (!errors) throw err;
    return errors.map(({ instancePath, message }) => `${instancePath || '/'} ${message}`);
  }
}

// A file that is never written: the compiler reads it from memory, resolving packages from test/deploy/.
const VIRTUAL_FILE = fileURLToPath(new URL('./manifests-as-typescript.ts', import.meta.url));
const OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ['lib.es2022.d.ts'],
  types: [],
};

/**
 * Each object's fields that its Kubernetes type does not have, or of the wrong type, as
 * `<source> <kind>/<name>: <compiler message>`; empty when every object type-checks.
 */
export function unknownFieldErrors(objects: readonly KubeObject[]): string[] {
  const types = [...new Set(objects.map(modelPath))];
  const lines = types.map((path, i) => `import type { I${path.split('/').at(-1)} as T${i} } from '${path}';`);
  const owners: KubeObject[] = [];
  for (const object of objects) {
    // One declaration per object, its literal on one line, so a message's line names the object.
    lines.push(
      `export const o${owners.length}: T${types.indexOf(modelPath(object))} = ${JSON.stringify(withoutSource(object))};`,
    );
    owners.push(object);
  }
  const source = lines.join('\n');
  const host = ts.createCompilerHost(OPTIONS);
  const readSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, ...rest) =>
    name === VIRTUAL_FILE ? ts.createSourceFile(name, source, language) : readSourceFile(name, language, ...rest);
  const program = ts.createProgram([VIRTUAL_FILE], OPTIONS, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    if (diagnostic.file?.fileName !== VIRTUAL_FILE || diagnostic.start === undefined) return message;
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    const owner = owners[line - types.length];
    return owner ? `${owner.source} ${owner.kind}/${owner.metadata.name}: ${message}` : message;
  });
}
