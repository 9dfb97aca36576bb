package handlers_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/scoring"
)

// submitN stores n submitted responses for team, all answering 4 (I4,
// reverse-keyed, answered 2 so its score is 4 too): every key scores 75.
func submitN(t *testing.T, s *models.Store, team models.Team, n int) {
	t.Helper()
	ctx := context.Background()
	for range n {
		st, err := s.StartResponse(ctx, team.ID)
		if err != nil {
			t.Fatal(err)
		}
		p := models.Progress{}
		for i := range scoring.NumItems {
			p.Items = append(p.Items, i)
			p.Answers[i] = 4
			if scoring.ItemReverse(i) {
				p.Answers[i] = 2
			}
		}
		if err := s.SaveProgress(ctx, st.Response.ID, p); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Submit(ctx, st.Response.ID); err != nil {
			t.Fatal(err)
		}
	}
}

// takeSurvey walks one respondent through with every answer 5 (reverse
// items 1) and returns the result page's path.
func takeSurvey(t *testing.T, cl *client, team models.Team) string {
	t.Helper()
	cl.start(t, team)
	cl.get("/s/perspective")
	wantRedirect(t, cl.post("/s/perspective", url.Values{"perspective": {"frontline"}, "action": {"next"}}), "/s/")
	for k, id := range scoring.KeyIDs() {
		var page [5]uint8
		for j := range 5 {
			page[j] = 5
			if scoring.ItemReverse(k*5 + j) {
				page[j] = 1
			}
		}
		cl.get("/s/" + id)
		wantRedirect(t, cl.post("/s/"+id, keyForm(k, page)), "/s/")
	}
	cl.get("/s/comment")
	return wantRedirect(t, cl.post("/s/comment", url.Values{"action": {"submit"}}), "/r/")
}

func TestResultShowsTeamOnlyWhenAllowed(t *testing.T) {
	a := newApp(t)
	big := a.survey()
	small, err := a.store.CreateTeam(context.Background(), models.NewTeam{Name: "Billing"})
	if err != nil {
		t.Fatal(err)
	}
	// Contact Centre: 4 earlier responses at 75 + this respondent at 100
	// = 5 ≥ k. While the round is open the team's scores are not published:
	// the page says when they come.
	submitN(t, a.store, big, 4)
	cl := a.client()
	path := takeSurvey(t, cl, big)
	d := doc(t, cl.get(path))
	if d.Find(`[data-testid="team-pending"]`).Length() != 1 || d.Find(`[data-testid="team-shown"]`).Length() != 0 || d.Find(`[data-testid^="team-bar-"]`).Length() != 0 {
		t.Fatalf("open round: want the team's profile promised for the close, not shown; page: %s", d.Find(`[data-testid="team-block"]`).Text())
	}
	if got := strings.TrimSpace(d.Find(`[data-testid="row-I"] [data-testid="score"]`).Text()); got != "100.0" {
		t.Errorf("own I score: got %q want 100.0", got)
	}
	// Closed, the team shows: mean of 75, 75, 75, 75, 100 = 80.0.
	a.closeRound()
	d = doc(t, cl.get(path))
	if d.Find(`[data-testid="team-shown"]`).Length() != 1 {
		t.Fatalf("team of 5 alone in the organization, round closed: want its profile shown; page: %s", d.Find(`[data-testid="team-block"]`).Text())
	}
	if got := strings.TrimSpace(d.Find(`[data-testid="row-I"] [data-testid="team-score"]`).Text()); got != "80.0" {
		t.Errorf("team I score: got %q want 80.0", got)
	}

	// The next round: Contact Centre 5 again, and Billing 2: hidden (2 < 5).
	// The organization minus Contact Centre would then reveal Billing's 2,
	// so complementary suppression hides Contact Centre too: its
	// respondents do not see it.
	a.openRound("2027 Q2")
	submitN(t, a.store, big, 4)
	cl2 := a.client()
	path2 := takeSurvey(t, cl2, big)
	submitN(t, a.store, small, 2)
	a.closeRound()
	d = doc(t, cl2.get(path2))
	if d.Find(`[data-testid="team-shown"]`).Length() != 0 || d.Find(`[data-testid="team-hidden"]`).Length() != 1 {
		t.Error("a team hidden by complementary suppression must not show")
	}
	if strings.Contains(d.Find("table").Text(), "80.0") || d.Find(`[data-testid^="team-bar-"]`).Length() != 0 {
		t.Error("the suppressed team's scores leak into the table or the chart")
	}
	// The first round's result is as it was published.
	if d := doc(t, cl.get(path)); d.Find(`[data-testid="team-shown"]`).Length() != 1 {
		t.Error("the first round's published team profile changed")
	}
}
