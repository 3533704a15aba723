package cache_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"pobox/cache"
)

// The life of a few messages: a downloaded batch is stored, one screen is
// read newest first, a search narrows it, and the status bar counts.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "pobox-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	db, err := cache.Open(ctx, filepath.Join(dir, "pobox", "cache.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	// Message ids are relative to the device of the login.
	dev, err := db.UseDevice(ctx, "zQie8WjzFTWkMz5CcGrUNK2t5rR9zGTsfYQ7HHGs", "laptop")
	if err != nil {
		log.Fatal(err)
	}
	fresh, err := db.Ingest(ctx, cache.Batch{Device: dev.N, Messages: []cache.Message{
		{ID: 1, App: "Backups", Title: "Backup finished", Message: "took 16 minutes"},
		{ID: 2, App: "Grafana", Title: "Disk almost full", Message: "92% on /var", Priority: 1},
		{ID: 3, App: "Grafana", Title: "Server down", Priority: 2, Receipt: "r1"},
	}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("new:", len(fresh))

	screen, err := db.Older(ctx, cache.Filter{}, 0, 50) // the first screen
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range screen {
		fmt.Println(m.ID, m.Title)
	}

	found, err := db.Older(ctx, cache.Filter{Search: "backu"}, 0, 50)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("search:", found[0].Title)

	if err := db.SetRead(ctx, screen[0].Key, true); err != nil {
		log.Fatal(err)
	}
	c, err := db.Counts(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("total %d, unread %d, unacknowledged %d\n", c.Total, c.Unread, c.Unacked)
	// Output:
	// new: 3
	// 3 Server down
	// 2 Disk almost full
	// 1 Backup finished
	// search: Backup finished
	// total 3, unread 2, unacknowledged 1
}
