/** A numbered schema migration: its statements are applied in one transaction, once. */
export interface Migration {
  readonly version: number
  readonly name: string
  readonly statements: readonly string[]
}

/** The schema version a set of migrations reaches. */
export const latestVersion = (migrations: readonly Migration[]): number =>
  Math.max(0, ...migrations.map((m) => m.version))
