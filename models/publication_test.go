package models_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/icare-hr/icare/models"
)

// TestCloseRoundPublishes: closing publishes the round in the same step,
// with the thresholds it was decided under and the teams as they stood; a
// team moved or renamed afterwards keeps its place in the publication and
// shows its new name. An open round has no publication, and a round closed
// before publications were kept gets one the first time it is asked for.
func TestCloseRoundPublishes(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		ops, _ := s.CreateTeam(ctx, models.NewTeam{Name: "Ops"})
		sales, _ := s.CreateTeam(ctx, models.NewTeam{Name: "Sales"})
		hc := 9
		contact, _ := s.CreateTeam(ctx, models.NewTeam{Name: "Contact", ParentID: &ops.ID, Headcount: &hc})
		r, err := s.CreateRound(ctx, models.NewRound{Name: "R", Open: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Publication(ctx, r.ID); !errors.Is(err, models.ErrNotPublished) {
			t.Errorf("publication of an open round: got %v want ErrNotPublished", err)
		}
		if _, err := s.CloseRound(ctx, models.CommandLine, r.ID); err != nil {
			t.Fatal(err)
		}
		p, err := s.Publication(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p.MinGroup != 5 || p.MinComments != 8 || !strings.Contains(p.Decisions, "all") {
			t.Errorf("publication: k %d, comments %d, decisions %.80s", p.MinGroup, p.MinComments, p.Decisions)
		}
		// Afterwards Contact moves under Sales and is renamed.
		if _, err := s.UpdateTeam(ctx, models.CommandLine, contact.ID, models.TeamChange{Name: "Contact Centre", ParentID: &sales.ID, Headcount: &hc}); err != nil {
			t.Fatal(err)
		}
		now, _ := s.Teams(ctx)
		kept, err := p.Teams(now)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range kept {
			if k.ID == contact.ID && (k.ParentID == nil || *k.ParentID != ops.ID || k.Name != "Contact Centre" || *k.Headcount != 9) {
				t.Errorf("Contact in the publication: got %+v want under Ops, named Contact Centre, headcount 9", k)
			}
		}
		// A round closed before publications were kept.
		if err := s.ForgetPublicationForTest(ctx, r.ID); err != nil {
			t.Fatal(err)
		}
		if p, err := s.Publication(ctx, r.ID); err != nil || p.RoundID != r.ID {
			t.Errorf("publication made later: got %+v, %v", p, err)
		}
	})
}
