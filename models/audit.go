package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// AuditEvent records one change made by an account: who, what, when.
type AuditEvent struct {
	ID         uint64    `gorm:"primaryKey"`
	At         time.Time `gorm:"not null;index"`
	ActorID    *uint     `gorm:"index"`
	ActorEmail string    `gorm:"size:254;not null"`
	Action     string    `gorm:"size:64;not null"`
	Detail     string    `gorm:"size:1000;not null"`
}

// Actor is who makes a change: an account, or the operator's command line.
type Actor struct {
	ID    *uint
	Email string
}

// CommandLine is the actor of operator commands.
var CommandLine = Actor{Email: "command line"}

// actorOr is by, or the command line when by names nobody.
func actorOr(by Actor) Actor {
	if by.ID == nil && by.Email == "" {
		return CommandLine
	}
	return by
}

// audit writes one event inside tx.
func (s *Store) audit(tx *gorm.DB, by Actor, action, detail string) error {
	ev := AuditEvent{At: s.Now(), ActorID: by.ID, ActorEmail: by.Email, Action: action, Detail: truncateRunes(detail, 1000)}
	if err := tx.Create(&ev).Error; err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// AuditEvents lists the latest events, newest first.
func (s *Store) AuditEvents(ctx context.Context, limit int) ([]AuditEvent, error) {
	return list[AuditEvent](ctx, s.rdb.Order("id DESC").Limit(limit), "audit events")
}
