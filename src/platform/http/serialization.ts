import build, { type Options, type Schema } from "fast-json-stringify";

type Serialize = (data: unknown) => string;

/**
 * Response serializers compiled on a route's first reply, not at boot, and kept per schema object for the
 * life of the process. Compiling every route's response schemas up front cost about 12 CPU-seconds per app
 * instance (fast-json-stringify validates and code-generates each one); most routes of a running node, and
 * nearly all of a test's app, never answer. Route schemas are module constants and the shared schemas
 * (problem, events) are the same on every instance, so one compiled function serves every app in the process.
 */
const compiled = new WeakMap<object, Serialize>();

export function lazySerializerFactory(externalSchemas?: unknown, serializerOpts?: Options) {
  return (route: { schema?: unknown }): Serialize => {
    const schema = route.schema as Schema & { $id?: unknown };
    const known = compiled.get(schema);
    if (known) return known;
    const shared: Record<string, Schema> = { ...(externalSchemas as Record<string, Schema>) };
    // A shared schema used as a route's own response must not be declared twice.
    if (typeof schema.$id === "string") delete shared[schema.$id];
    let serialize: Serialize | undefined;
    const lazy: Serialize = (data) => {
      serialize ??= build(schema, { ...serializerOpts, schema: shared });
      return serialize(data);
    };
    compiled.set(schema, lazy);
    return lazy;
  };
}
