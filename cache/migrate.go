package cache

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// migrationFiles holds the schema history: migrations/NNNN_name.sql, applied
// in order, forward only. Never edit a released migration; add a new one.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one step of the schema history.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations is the full history, checked at start-up.
var migrations = mustLoadMigrations(migrationFiles)

func mustLoadMigrations(fsys fs.FS) []migration {
	ms, err := loadMigrations(fsys)
	if err != nil {
		panic(err) // a broken embedded file is a build mistake, caught by every test
	}
	return ms
}

// loadMigrations reads and orders the embedded migrations and checks that
// their versions run 1, 2, 3... without gaps or duplicates.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, n := range names {
		base := path.Base(n)
		num, rest, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("cache: migration %s: name must be NNNN_name.sql", base)
		}
		body, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: strings.TrimSuffix(rest, ".sql"), sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("cache: migration %04d_%s: expected version %d", m.version, m.name, i+1)
		}
	}
	return ms, nil
}

// SchemaVersion is the schema version this build of pobox writes.
func SchemaVersion() int { return len(migrations) }

// checkFile refuses, before anything is written, a file that belongs to
// another program or that a newer pobox has migrated past what this build
// knows (known = number of migrations this build has).
func (db *DB) checkFile(ctx context.Context, known int) error {
	var appID int64
	if err := db.write.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		if isCorrupt(err) {
			return unusable(db.path, err)
		}
		return fmt.Errorf("cache: open %s: %w", db.path, err)
	}
	var tables, hasMigrations int
	err := db.write.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(name = 'schema_migrations'), 0)
		FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).Scan(&tables, &hasMigrations)
	if err != nil {
		if isCorrupt(err) {
			return unusable(db.path, err)
		}
		return fmt.Errorf("cache: open %s: %w", db.path, err)
	}
	switch {
	case appID != 0 && appID != applicationID:
		return unusable(db.path, fmt.Errorf("a SQLite database of another program (application_id %#x)", appID))
	case hasMigrations == 0 && tables > 0:
		return unusable(db.path, errors.New("a SQLite database of another program (no pobox schema)"))
	case hasMigrations == 0:
		return nil // empty: migrate creates everything
	}
	v, err := schemaVersion(ctx, db.write)
	if err != nil {
		return db.wrapErr("read the schema version", err)
	}
	return db.checkVersion(v, known)
}

func (db *DB) checkVersion(v, known int) error {
	if v > known {
		return fmt.Errorf("%w: %s has schema version %d and this pobox knows up to %d; "+
			"it was left untouched: upgrade pobox to use it", ErrNewerSchema, db.path, v, known)
	}
	return nil
}

// queryer is what *sql.DB and *sql.Tx have in common for reads.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// schemaVersion returns the highest applied migration (0 for none).
func schemaVersion(ctx context.Context, q queryer) (int, error) {
	var v int
	err := q.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&v)
	return v, err
}

// migrate applies the migrations the file lacks, each in its own
// transaction together with its row in schema_migrations. Two processes
// starting at once are safe: BEGIN IMMEDIATE serialises them and each step
// re-reads the version inside its transaction.
func (db *DB) migrate(ctx context.Context, ms []migration) error {
	for _, m := range ms {
		err := db.writeTx(ctx, "migrate", func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
				version    INTEGER PRIMARY KEY,
				name       TEXT    NOT NULL,
				applied_at INTEGER NOT NULL -- Unix milliseconds
			)`); err != nil {
				return err
			}
			v, err := schemaVersion(ctx, tx)
			if err != nil {
				return err
			}
			if err := db.checkVersion(v, len(ms)); err != nil {
				return err
			}
			if v >= m.version {
				return nil // applied earlier, or just now by another process
			}
			if v != m.version-1 {
				return fmt.Errorf("schema version %d cannot be followed by migration %d", v, m.version)
			}
			if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d", applicationID)); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("%04d_%s: %w", m.version, m.name, err)
			}
			_, err = tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
				m.version, m.name, millis(db.Now()))
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}
