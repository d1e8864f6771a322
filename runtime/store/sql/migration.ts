/** A numbered schema migration: its statements are applied in one transaction, once. */
export interface Migration {
  readonly version: number
  readonly name: string
  readonly statements: readonly string[]
  /**
   * Statements run one by one just before the migration's transaction,
   * outside of a transaction (libSQL's `VACUUM` cannot run inside one). They
   * run again at the next start when the transaction did not commit (a crash
   * in between), so each must be safe to repeat. libSQL only.
   */
  readonly beforeTransaction?: readonly string[]
}

/** The schema version a set of migrations reaches. */
export const latestVersion = (migrations: readonly Migration[]): number =>
  Math.max(0, ...migrations.map((m) => m.version))
