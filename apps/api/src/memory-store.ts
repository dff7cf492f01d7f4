import type { NewTodo, Todo, TodoPatch, TodoStore } from "./todos.js";

export interface MemoryTodoStoreOptions {
  /** Clock for createdAt/updatedAt. @default - the system clock */
  readonly now?: () => Date;
}

/** An in-process TodoStore for tests and local experiments; data lives as long as the object. */
export class MemoryTodoStore implements TodoStore {
  private readonly todos = new Map<number, Todo>();
  private nextId = 1;
  private readonly now: () => Date;
  /** Set to an error to make every call reject with it, simulating an unreachable database. */
  failure: Error | undefined;

  constructor(options: MemoryTodoStoreOptions = {}) {
    this.now = options.now ?? (() => new Date());
  }

  async list(): Promise<Todo[]> {
    this.check();
    return [...this.todos.values()];
  }

  async get(id: number): Promise<Todo | undefined> {
    this.check();
    return this.todos.get(id);
  }

  async getMany(ids: readonly number[]): Promise<Todo[]> {
    this.check();
    const wanted = new Set(ids);
    return [...this.todos.values()].filter((todo) => wanted.has(todo.id)).sort((a, b) => a.id - b.id);
  }

  async create(todo: NewTodo): Promise<Todo> {
    this.check();
    const timestamp = this.now().toISOString();
    const created: Todo = {
      id: this.nextId++,
      title: todo.title,
      done: false,
      createdAt: timestamp,
      updatedAt: timestamp,
    };
    this.todos.set(created.id, created);
    return created;
  }

  async update(id: number, patch: TodoPatch): Promise<Todo | undefined> {
    this.check();
    const current = this.todos.get(id);
    if (current === undefined) return undefined;
    const updated: Todo = { ...current, ...patch, updatedAt: this.now().toISOString() };
    this.todos.set(id, updated);
    return updated;
  }

  async delete(id: number): Promise<boolean> {
    this.check();
    return this.todos.delete(id);
  }

  async ping(): Promise<void> {
    this.check();
  }

  async close(): Promise<void> {}

  private check(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}
