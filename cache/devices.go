package cache

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// Device is one Pushover device whose messages this cache holds. Message
// ids, watermarks, tombstones and outbox actions are relative to it: a new
// device (a new login) starts counting at 1 again.
type Device struct {
	N    int64  // local number, in the order devices were first used
	ID   string // Pushover's device id; "" until the stored login claims it
	Name string // the device name, as registered

	DeletedUpTo       int64 // local delete-up-to watermark: every id <= it is gone here
	HighestSeen       int64 // highest id ever committed for this device
	ServerDeletedUpTo int64 // highest id known deleted on Pushover
	BacklogDone       bool  // the device's first download completed
}

const deviceColumns = `n, device_id, name, deleted_upto, highest_seen, server_deleted_upto, backlog_done`

func scanDevice(s scanner) (Device, error) {
	var d Device
	err := s.Scan(&d.N, &d.ID, &d.Name, &d.DeletedUpTo, &d.HighestSeen, &d.ServerDeletedUpTo, &d.BacklogDone)
	return d, err
}

// UseDevice returns the device with Pushover id deviceID, adding it when
// the cache has not seen it. A device left by an older schema whose id was
// never recorded (device 1 with ID "") is claimed by the first device used:
// the messages of such a cache belong to the device of its stored login,
// so call UseDevice with the stored login as soon as the cache is open.
// The name is updated when it changed.
func (db *DB) UseDevice(ctx context.Context, deviceID, name string) (Device, error) {
	if deviceID == "" {
		return Device{}, errors.New("cache: use device: empty device id")
	}
	var d Device
	err := db.writeTx(ctx, "use device", func(tx *sql.Tx) error {
		row := tx.QueryRowContext(ctx, `SELECT `+deviceColumns+` FROM devices WHERE device_id = ?`, deviceID)
		var err error
		d, err = scanDevice(row)
		switch {
		case err == nil:
			if name != "" && name != d.Name {
				d.Name = name
				_, err = tx.ExecContext(ctx, `UPDATE devices SET name = ? WHERE n = ?`, name, d.N)
			}
			return err
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE devices SET device_id = ?, name = ? WHERE device_id = ''
			AND n = (SELECT min(n) FROM devices WHERE device_id = '')`, deviceID, name)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO devices (device_id, name, created_at) VALUES (?, ?, ?)`,
				deviceID, name, millis(db.Now())); err != nil {
				return err
			}
		}
		d, err = scanDevice(tx.QueryRowContext(ctx, `SELECT `+deviceColumns+` FROM devices WHERE device_id = ?`, deviceID))
		return err
	})
	if err != nil {
		return Device{}, err
	}
	db.names.put(d.N, d.Name)
	return d, nil
}

// Device returns the device numbered n, or an error wrapping ErrNotFound.
func (db *DB) Device(ctx context.Context, n int64) (Device, error) {
	if db.isClosed() {
		return Device{}, ErrClosed
	}
	d, err := scanDevice(db.read.QueryRowContext(ctx, `SELECT `+deviceColumns+` FROM devices WHERE n = ?`, n))
	if errors.Is(err, sql.ErrNoRows) {
		return Device{}, fmt.Errorf("cache: device %d: %w", n, ErrNotFound)
	}
	if err != nil {
		return Device{}, db.wrapErr("read device", err)
	}
	return d, nil
}

// Devices returns every device of the cache, oldest first.
func (db *DB) Devices(ctx context.Context) ([]Device, error) {
	if db.isClosed() {
		return nil, ErrClosed
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+deviceColumns+` FROM devices ORDER BY n`)
	if err != nil {
		return nil, db.wrapErr("read devices", err)
	}
	defer rows.Close()
	var out []Device
	for rows.Next() {
		d, err := scanDevice(rows)
		if err != nil {
			return nil, db.wrapErr("read devices", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, db.wrapErr("read devices", err)
	}
	return out, nil
}

// HighestID returns the highest message id ever committed for device n (0
// when none), whether or not that message has been deleted locally since.
// Nothing may delete on Pushover above it: what is above was never stored.
func (db *DB) HighestID(ctx context.Context, n int64) (int64, error) {
	d, err := db.Device(ctx, n)
	if errors.Is(err, ErrNotFound) {
		return 0, nil
	}
	return d.HighestSeen, err
}

// MarkBacklogDone records that device n's first download completed: its
// later messages are news, not backlog.
func (db *DB) MarkBacklogDone(ctx context.Context, n int64) error {
	return db.writeTx(ctx, "mark backlog done", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE devices SET backlog_done = 1 WHERE n = ?`, n)
		return err
	})
}

// SetServerDeletedUpTo records that Pushover deleted device n's messages up
// to id (it only ever rises).
func (db *DB) SetServerDeletedUpTo(ctx context.Context, n, id int64) error {
	return db.writeTx(ctx, "record server delete", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE devices SET server_deleted_upto = max(server_deleted_upto, ?) WHERE n = ?`, id, n)
		return err
	})
}

// deviceNames maps device numbers to names for the rows a read returns.
// Devices are few and never renumbered; a number not yet known (another
// process added the device) is looked up once.
type deviceNames struct {
	mu sync.RWMutex
	m  map[int64]string
}

func (dn *deviceNames) get(n int64) (string, bool) {
	dn.mu.RLock()
	defer dn.mu.RUnlock()
	s, ok := dn.m[n]
	return s, ok
}

func (dn *deviceNames) put(n int64, name string) {
	dn.mu.Lock()
	defer dn.mu.Unlock()
	if dn.m == nil {
		dn.m = map[int64]string{}
	}
	dn.m[n] = name
}

// deviceName returns the name of device n for a message read from the cache.
func (db *DB) deviceName(ctx context.Context, n int64) string {
	if s, ok := db.names.get(n); ok {
		return s
	}
	var name string
	err := db.read.QueryRowContext(ctx, `SELECT name FROM devices WHERE n = ?`, n).Scan(&name)
	if err != nil {
		return "" // a read still succeeds without the name
	}
	db.names.put(n, name)
	return name
}

// nameDevices fills in DeviceName of messages read from the cache.
func (db *DB) nameDevices(ctx context.Context, ms []Message) {
	for i := range ms {
		ms[i].DeviceName = db.deviceName(ctx, ms[i].Device)
	}
}
