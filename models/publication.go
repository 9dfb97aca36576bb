package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Publication is what a round publishes when it closes, once: the teams as
// they stood (their hierarchy and headcounts) and the decisions of the
// anonymity rules about which of its figures may be seen, with the
// thresholds they were made under. A closed round's figures come from its
// publication and never change after, whatever happens to the teams or the
// settings later: no one can work out a figure by comparing the round's
// pages before and after a team moved.
type Publication struct {
	RoundID     uint      `gorm:"primaryKey;autoIncrement:false"`
	PublishedAt time.Time `gorm:"not null"`
	MinGroup    int       `gorm:"not null"`
	MinComments int       `gorm:"not null"`
	// TeamsJSON holds the teams as []PublishedTeam.
	TeamsJSON string `gorm:"column:teams;type:text;not null"`
	// Decisions is the publisher's record of what hides, opaque here.
	Decisions string `gorm:"type:text;not null"`
}

// PublishedTeam is a team as a publication keeps it.
type PublishedTeam struct {
	ID        uint   `json:"id"`
	Name      string `json:"name"`
	ParentID  *uint  `json:"parent_id,omitempty"`
	Headcount *int   `json:"headcount,omitempty"`
	Archived  bool   `json:"archived,omitempty"`
}

// Teams returns the teams as the publication keeps them, each under the
// name it has now when it still exists in current (a team renamed later is
// shown by its new name; its place and headcount stay as they were).
func (p Publication) Teams(current []Team) ([]Team, error) {
	var kept []PublishedTeam
	if err := json.Unmarshal([]byte(p.TeamsJSON), &kept); err != nil {
		return nil, fmt.Errorf("publication of round %d: teams: %w", p.RoundID, err)
	}
	names := make(map[uint]string, len(current))
	for _, t := range current {
		names[t.ID] = t.Name
	}
	teams := make([]Team, len(kept))
	for i, k := range kept {
		teams[i] = Team{ID: k.ID, Name: k.Name, ParentID: k.ParentID, Headcount: k.Headcount}
		if n, ok := names[k.ID]; ok {
			teams[i].Name = n
		}
		if k.Archived {
			at := p.PublishedAt
			teams[i].ArchivedAt = &at
		}
	}
	return teams, nil
}

// Decided is what a Publisher decides for a round: its record of what
// hides, and the thresholds it decided under.
type Decided struct {
	Decisions             []byte
	MinGroup, MinComments int
}

// A Publisher decides which figures of a closed round may be seen, from
// its teams and cells. The Store calls it when a round closes (and for a
// round closed before publications were kept, the first time its figures
// are asked for); the results package provides it.
type Publisher func(teams []Team, cells []Cell) (Decided, error)

// WithPublisher sets the Store's Publisher.
func WithPublisher(p Publisher) Option { return func(s *Store) { s.publisher = p } }

// ErrNotPublished is returned for the publication of a round that has not
// closed.
var ErrNotPublished = errors.New("this round's results are published when it closes")

// publish makes and stores round id's publication inside tx, unless it has
// one already.
func (s *Store) publish(tx *gorm.DB, id uint) error {
	if s.publisher == nil {
		return errors.New("publish: the Store has no Publisher (models.WithPublisher)")
	}
	teams, err := teamsForRound(tx, id)
	if err != nil {
		return err
	}
	cells, err := cellsOf(tx, id)
	if err != nil {
		return err
	}
	d, err := s.publisher(teams, cells)
	if err != nil {
		return fmt.Errorf("publish round %d: %w", id, err)
	}
	kept := make([]PublishedTeam, len(teams))
	for i, t := range teams {
		kept[i] = PublishedTeam{ID: t.ID, Name: t.Name, ParentID: t.ParentID, Headcount: t.Headcount, Archived: t.ArchivedAt != nil}
	}
	tj, err := json.Marshal(kept)
	if err != nil {
		return fmt.Errorf("publish round %d: %w", id, err)
	}
	p := Publication{RoundID: id, PublishedAt: s.Now(), MinGroup: d.MinGroup, MinComments: d.MinComments,
		TeamsJSON: string(tj), Decisions: string(d.Decisions)}
	// Another replica publishing the same round at the same moment made
	// the same decisions from the same rows; the first row stays.
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&p).Error; err != nil {
		return fmt.Errorf("store publication of round %d: %w", id, err)
	}
	return nil
}

// Publication returns a closed round's publication, making it first for a
// round closed before publications were kept. An open or draft round has
// none: ErrNotPublished.
func (s *Store) Publication(ctx context.Context, roundID uint) (Publication, error) {
	var p Publication
	err := s.rdb.WithContext(ctx).First(&p, roundID).Error
	if err == nil {
		return p, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return Publication{}, fmt.Errorf("publication of round %d: %w", roundID, err)
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var r Round
		if err := tx.First(&r, roundID).Error; err != nil {
			return translate(err)
		}
		if r.Status != RoundClosed {
			return ErrNotPublished
		}
		if err := s.publish(tx, roundID); err != nil {
			return err
		}
		return tx.First(&p, roundID).Error
	})
	if err != nil {
		return Publication{}, fmt.Errorf("publication of round %d: %w", roundID, err)
	}
	return p, nil
}
