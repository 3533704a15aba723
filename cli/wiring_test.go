package cli

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenLogStartsAfreshWhenLarge(t *testing.T) {
	dir := t.TempDir()
	cfg := &config{LogPath: filepath.Join(dir, "state", "pobox", "pobox.log")}
	if err := os.MkdirAll(filepath.Dir(cfg.LogPath), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg.LogPath, []byte(strings.Repeat("x", maxLog+1)), 0o600); err != nil {
		t.Fatal(err)
	}
	log, f, err := openLog(cfg, slog.LevelInfo)
	if err != nil {
		t.Fatal(err)
	}
	log.Info("fresh")
	f.Close()
	if fi, err := os.Stat(cfg.LogPath + ".1"); err != nil || fi.Size() != maxLog+1 {
		t.Fatalf("the old log was not kept as .1: %v", err)
	}
	b, _ := os.ReadFile(cfg.LogPath)
	if !strings.Contains(string(b), "fresh") || len(b) > 1000 {
		t.Fatalf("new log holds %d bytes", len(b))
	}
	if fi, _ := os.Stat(cfg.LogPath); fi.Mode().Perm() != 0o600 {
		t.Fatalf("log mode %v", fi.Mode().Perm())
	}
}
