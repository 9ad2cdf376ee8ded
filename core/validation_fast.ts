import type * as v from "valibot";

/**
 * A fast path for valibot schemas that are parsed millions of times (the run record of an import):
 * the schema is compiled once into plain closures that accept a valid input cheaply and return
 * valibot's output for it. They never explain a rejection: anything they do not accept outright
 * (an invalid input, or a shape they do not handle, such as an undefined value or an object with a
 * prototype) returns REJECTED, and the caller parses with valibot itself, which then gives the
 * answer and the message. So the fast path may refuse more than valibot, never accept more
 * (validation_fast_test.ts checks this on arbitrary inputs).
 *
 * Compiled from the schema objects themselves — every bound and pattern is the schema's own —
 * and a schema or action of a kind not handled here fails at compile time, not silently.
 */
export const REJECTED: unique symbol = Symbol("rejected");
export type FastParse = (input: unknown) => unknown;

type Node = v.GenericSchema & {
  type: string;
  wrapped?: Node;
  default?: unknown;
  entries?: Record<string, Node>;
  item?: Node;
  key?: Node;
  value?: Node;
  options?: Node[] | readonly unknown[];
  pipe?: readonly (Node | Action)[];
};
type Action = { kind: "validation" | "transformation" | "metadata"; type: string; requirement?: unknown };

const isPlainObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" && x !== null && Object.getPrototypeOf(x) === Object.prototype;

/** valibot's record skips these keys silently: the fast path leaves such input to valibot. */
const SKIPPED_RECORD_KEYS = new Set(["__proto__", "prototype", "constructor"]);

/** Compiles `schema` into a function returning valibot's output for `input`, or REJECTED. */
export function compileFastParse(schema: v.GenericSchema): FastParse {
  const parse = compile(schema as Node);
  return (input) => {
    try {
      return parse(input);
    } catch {
      return REJECTED; // a check that throws (JSON.stringify of a cycle): valibot decides
    }
  };
}

function compile(node: Node): FastParse {
  if (node.pipe) {
    const [first, ...actions] = node.pipe;
    const base = compile(first as Node);
    const checks = actions.map((a) => compileAction(a as Action)).filter((c) => c !== undefined);
    return (input) => {
      const out = base(input);
      if (out === REJECTED) return REJECTED;
      for (const check of checks) if (!check(out as never)) return REJECTED;
      return out;
    };
  }
  switch (node.type) {
    case "string":
      return (x) => (typeof x === "string" ? x : REJECTED);
    case "number":
      return (x) => (typeof x === "number" && !Number.isNaN(x) ? x : REJECTED);
    case "boolean":
      return (x) => (typeof x === "boolean" ? x : REJECTED);
    case "null":
      return (x) => (x === null ? x : REJECTED);
    case "unknown":
      return (x) => (x === undefined ? REJECTED : x);
    case "picklist": {
      const options = node.options as readonly unknown[];
      return (x) => (options.includes(x) ? x : REJECTED);
    }
    case "nullish":
    case "optional":
      return compileOptional(node);
    case "union": {
      const options = (node.options as Node[]).map(compile);
      return (x) => {
        for (const option of options) {
          const out = option(x);
          if (out !== REJECTED) return out;
        }
        return REJECTED;
      };
    }
    case "array": {
      const item = compile(node.item!);
      return (x) => {
        if (!Array.isArray(x)) return REJECTED;
        let out: unknown[] | undefined;
        for (let i = 0; i < x.length; i++) {
          const value = item(x[i]);
          if (value === REJECTED) return REJECTED;
          if (value !== x[i]) (out ??= x.slice())[i] = value;
        }
        return out ?? x;
      };
    }
    case "record": {
      const key = compile(node.key!);
      const value = compile(node.value!);
      return (x) => {
        if (!isPlainObject(x)) return REJECTED;
        for (const k in x) {
          if (SKIPPED_RECORD_KEYS.has(k) || key(k) === REJECTED) return REJECTED;
          const out = value(x[k]);
          if (out === REJECTED || out !== x[k]) return REJECTED; // a value valibot would rebuild: rare, left to it
        }
        return x;
      };
    }
    case "strict_object":
      return compileStrictObject(node);
    default:
      throw new Error(`compileFastParse: schema type "${node.type}" is not handled`);
  }
}

/** optional/nullish with or without a default; `undefined` itself is left to valibot. */
function compileOptional(node: Node): FastParse {
  const inner = compile(node.wrapped!);
  const nullish = node.type === "nullish";
  if (nullish && node.default !== undefined) throw new Error("compileFastParse: nullish with a default is not handled");
  return (x) => (x === undefined ? REJECTED : nullish && x === null ? x : inner(x));
}

/**
 * A strict object: every key known, every required key present, no undefined values. Returns the
 * input itself when valibot's output would hold the same values, else a copy with defaults filled
 * in (absent keys whose schema has a default) and values valibot rebuilds replaced.
 */
function compileStrictObject(node: Node): FastParse {
  const entries = Object.entries(node.entries!);
  const parsers: Record<string, FastParse> = Object.create(null);
  for (const [key, schema] of entries) parsers[key] = compile(schema);
  const isOptional = (s: Node) => s.type === "optional" || s.type === "nullish" || s.type === "exact_optional";
  const required = entries.filter(([, s]) => !isOptional(s)).map(([k]) => k);
  const defaults = entries
    .filter(([, s]) => isOptional(s) && s.default !== undefined)
    .map(([k, s]) => {
      if (typeof s.default === "function") throw new Error(`compileFastParse: default of "${k}" is a function`);
      return [k, s.default] as const;
    });
  // Defaults that are objects are copied for each output, as valibot's getDefault would hand out the same one.
  const fresh = (value: unknown) => (Array.isArray(value) ? [...value] : isPlainObject(value) ? { ...value } : value);
  return (x) => {
    if (!isPlainObject(x)) return REJECTED;
    let out: Record<string, unknown> | undefined;
    for (const key in x) {
      const parse = parsers[key];
      if (parse === undefined) return REJECTED;
      const value = parse(x[key]);
      if (value === REJECTED) return REJECTED;
      if (value !== x[key]) (out ??= { ...x })[key] = value;
    }
    for (const key of required) if (!(key in x)) return REJECTED;
    for (const [key, value] of defaults) if (!(key in x)) (out ??= { ...x })[key] = fresh(value);
    return out ?? x;
  };
}

/** One pipe action as a predicate over an already typed value; undefined for metadata. */
function compileAction(action: Action): ((x: never) => boolean) | undefined {
  const r = action.requirement;
  switch (action.type) {
    case "min_length":
      return (x: { length: number }) => x.length >= (r as number);
    case "max_length":
      return (x: { length: number }) => x.length <= (r as number);
    case "min_value":
      return (x: number) => x >= (r as number);
    case "max_value":
      return (x: number) => x <= (r as number);
    case "integer":
    case "check":
      return (x: never) => Boolean((r as (x: unknown) => unknown)(x));
    case "regex":
    case "uuid":
      return (x: string) => (r as RegExp).test(x);
    case "description":
    case "title":
      return undefined;
    default:
      throw new Error(`compileFastParse: action "${action.type}" is not handled`);
  }
}
