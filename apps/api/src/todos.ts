/** A todo as the API returns it. Timestamps are ISO 8601 strings in UTC. */
export interface Todo {
  readonly id: number;
  readonly title: string;
  readonly done: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface NewTodo {
  readonly title: string;
}

export interface TodoPatch {
  readonly title?: string;
  readonly done?: boolean;
}

/** Persistence for todos. Implementations: PostgresTodoStore (runtime), MemoryTodoStore (tests). */
export interface TodoStore {
  /** All todos, oldest first. */
  list(): Promise<Todo[]>;
  get(id: number): Promise<Todo | undefined>;
  /** The todos among `ids` that exist, in id order; unknown ids are left out. */
  getMany(ids: readonly number[]): Promise<Todo[]>;
  create(todo: NewTodo): Promise<Todo>;
  /** The updated todo, or undefined when no todo has this id. */
  update(id: number, patch: TodoPatch): Promise<Todo | undefined>;
  /** Whether a todo with this id existed. */
  delete(id: number): Promise<boolean>;
  /** Resolves when the store can serve queries; rejects with the reason otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const MAX_TITLE_LENGTH = 200;
/** Largest id a PostgreSQL `integer` column holds. */
export const MAX_ID = 2_147_483_647;

export type Validation<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** Parses a path segment as a todo id; undefined when it is not a positive 32-bit integer. */
export function parseId(segment: string): number | undefined {
  if (!/^[1-9]\d{0,9}$/.test(segment)) return undefined;
  const id = Number(segment);
  return id <= MAX_ID ? id : undefined;
}

export function validateNewTodo(body: unknown): Validation<NewTodo> {
  const object = asObject(body, ["title"]);
  if (!object.ok) return object;
  if (!("title" in object.value)) return { ok: false, error: "title is required" };
  const title = validateTitle(object.value["title"]);
  return title.ok ? { ok: true, value: { title: title.value } } : title;
}

export function validateTodoPatch(body: unknown): Validation<TodoPatch> {
  const object = asObject(body, ["title", "done"]);
  if (!object.ok) return object;
  const fields = object.value;
  if (!("title" in fields) && !("done" in fields)) {
    return { ok: false, error: "request body must contain title or done" };
  }
  let patch: TodoPatch = {};
  if ("title" in fields) {
    const title = validateTitle(fields["title"]);
    if (!title.ok) return title;
    patch = { ...patch, title: title.value };
  }
  if ("done" in fields) {
    if (typeof fields["done"] !== "boolean") return { ok: false, error: "done must be a boolean" };
    patch = { ...patch, done: fields["done"] };
  }
  return { ok: true, value: patch };
}

function validateTitle(value: unknown): Validation<string> {
  if (typeof value !== "string") return { ok: false, error: "title must be a string" };
  const title = value.trim();
  if (title === "") return { ok: false, error: "title must not be empty" };
  // Count code points, as PostgreSQL's char_length does, not UTF-16 units.
  const length = [...title].length;
  if (length > MAX_TITLE_LENGTH) {
    return { ok: false, error: `title must be at most ${MAX_TITLE_LENGTH} characters, got ${length}` };
  }
  return { ok: true, value: title };
}

/** Accepts a JSON object whose keys are all in `allowed`. */
export function asObject(body: unknown, allowed: readonly string[]): Validation<Record<string, unknown>> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, error: "request body must be a JSON object" };
  }
  const unknownField = Object.keys(body).find((key) => !allowed.includes(key));
  if (unknownField !== undefined) {
    return { ok: false, error: `unknown field "${unknownField}"; allowed: ${allowed.join(", ")}` };
  }
  return { ok: true, value: body as Record<string, unknown> };
}
