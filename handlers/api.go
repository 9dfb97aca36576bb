package handlers

import (
	_ "embed"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/results"
	"github.com/icare-hr/icare/scoring"
)

// The read-only JSON API (openapi.json describes it). Its numbers are the
// pages' and the CSV files': each comes from results.Figures of the round's
// results, under the same anonymity rules and the same leader's scope.

// openAPI is the API's OpenAPI 3 description, served as it is.
//
//go:embed openapi.json
var openAPI []byte

// maxAPIGroups bounds the groups of one profiles request.
const maxAPIGroups = 50

// apiRound is one round of GET /api/v1/rounds.
type apiRound struct {
	ID       uint       `json:"id"`
	Name     string     `json:"name"`
	Status   string     `json:"status"`
	OpenedAt *time.Time `json:"opened_at"`
	ClosedAt *time.Time `json:"closed_at"`
	N        int64      `json:"n"`
}

// apiProfile is one group's figures; a hidden figure is null with its reason.
type apiProfile struct {
	Group      string    `json:"group"`
	Label      string    `json:"label"`
	N          int       `json:"n"`
	Suppressed bool      `json:"suppressed"`
	Reason     *string   `json:"reason"`
	Index      *apiIndex `json:"index"`
	Keys       []apiKey  `json:"keys"`
	Items      []apiItem `json:"items,omitempty"`
}

type apiIndex struct {
	N      int      `json:"n"`
	Score  *float64 `json:"score"`
	SD     *float64 `json:"sd"`
	CILow  *float64 `json:"ci_low"`
	CIHigh *float64 `json:"ci_high"`
	Band   *string  `json:"band"`
	Reason *string  `json:"reason"`
}

type apiKey struct {
	Key            string   `json:"key"`
	N              int      `json:"n"`
	Score          *float64 `json:"score"`
	SD             *float64 `json:"sd"`
	CILow          *float64 `json:"ci_low"`
	CIHigh         *float64 `json:"ci_high"`
	FavorablePct   *float64 `json:"favorable_pct"`
	NeutralPct     *float64 `json:"neutral_pct"`
	UnfavorablePct *float64 `json:"unfavorable_pct"`
	Band           *string  `json:"band"`
	// Reason is why the score is null; ShareReason why the three shares are.
	Reason      *string `json:"reason"`
	ShareReason *string `json:"share_reason"`
}

type apiItem struct {
	Item         string   `json:"item"`
	N            int      `json:"n"`
	Mean         *float64 `json:"mean"`
	FavorablePct *float64 `json:"favorable_pct"`
	Reason       *string  `json:"reason"`
}

// num is v for JSON: null when missing.
func num(v scoring.Value) *float64 {
	if !v.OK {
		return nil
	}
	return &v.V
}

// reason is r for JSON: null when the figure shows.
func reason(r results.Reason) *string {
	if r == results.Shown {
		return nil
	}
	s := string(r)
	return &s
}

// band is the band of stats for JSON: null when the mean is.
func band(st scoring.Stats) *string {
	b, ok := st.Band()
	if !ok {
		return nil
	}
	s := b.Slug()
	return &s
}

// profileOf turns a group's figures into the API's profile, with the 25
// statements when withItems.
// A pulse round's profiles cover the keys it asked, and its index is null.
func profileOf(round models.Round, f results.Figures, label string, withItems bool) apiProfile {
	p := f.Profile
	out := apiProfile{Group: f.Group.String(), Label: label, N: f.N, Suppressed: !f.Shown(), Reason: reason(f.Reason)}
	if round.Keys == "" {
		out.Index = &apiIndex{N: p.Index.N, Score: num(p.Index.Mean), SD: num(p.Index.SD), CILow: num(p.Index.CILow),
			CIHigh: num(p.Index.CIHigh), Band: band(p.Index), Reason: reason(f.IndexReason)}
	}
	for _, k := range round.AskedKeys() {
		id, ks := scoring.KeySlugs()[k], p.Keys[k]
		out.Keys = append(out.Keys, apiKey{Key: id, N: ks.N, Score: num(ks.Mean), SD: num(ks.SD), CILow: num(ks.CILow),
			CIHigh: num(ks.CIHigh), FavorablePct: num(ks.FavorablePct), NeutralPct: num(ks.NeutralPct),
			UnfavorablePct: num(ks.UnfavorablePct), Band: band(ks.Stats), Reason: reason(f.KeyReason[k]),
			ShareReason: reason(f.ShareReason[k])})
	}
	if withItems {
		for i := range scoring.NumItems {
			if !round.Asks(scoring.KeyOfItem(i)) {
				continue
			}
			it := p.Items[i]
			out.Items = append(out.Items, apiItem{Item: scoring.ItemID(i), N: it.N, Mean: num(it.Mean),
				FavorablePct: num(it.FavorablePct), Reason: reason(f.ItemReason[i])})
		}
	}
	return out
}

// apiOpenAPI is GET /api/v1/openapi.json.
func (s *Server) apiOpenAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, openAPI)
}

// apiRounds is GET /api/v1/rounds: every round that has opened, newest first.
func (s *Server) apiRounds(c echo.Context) error {
	ctx := c.Request().Context()
	rounds, err := s.store.Rounds(ctx)
	if err != nil {
		return err
	}
	out := []apiRound{}
	for _, r := range rounds {
		if r.Status == models.RoundDraft {
			continue
		}
		n, err := s.store.CountResponses(ctx, r.ID, models.StatusSubmitted)
		if err != nil {
			return err
		}
		out = append(out, apiRound{ID: r.ID, Name: r.Name, Status: r.Status, OpenedAt: r.OpensAt, ClosedAt: r.ClosesAt, N: n})
	}
	return c.JSON(http.StatusOK, out)
}

// apiDash opens the round of :id with its results, as the dashboard does.
func (s *Server) apiDash(c echo.Context) (*dash, error) {
	id, err := idParam(c)
	if err != nil {
		return nil, err
	}
	round, err := s.store.Round(c.Request().Context(), id)
	if errors.Is(err, models.ErrNotFound) || err == nil && round.Status == models.RoundDraft {
		return nil, echo.NewHTTPError(http.StatusNotFound, "There is no such round, or it has not opened yet.")
	}
	if err != nil {
		return nil, err
	}
	res, err := s.roundResults(c, round)
	if err != nil {
		return nil, err
	}
	return &dash{round: round, res: res}, nil
}

// apiProfiles is GET /api/v1/rounds/:id/profiles?g=…: the groups' profiles,
// the organization's when none is asked for.
func (s *Server) apiProfiles(c echo.Context) error {
	d, err := s.apiDash(c)
	if err != nil {
		return err
	}
	groups, err := s.groupsParam(c, d, maxAPIGroups, results.Org)
	if err != nil {
		return err
	}
	out := make([]apiProfile, 0, len(groups))
	for _, g := range groups {
		f, err := d.res.Figures(g)
		if err != nil {
			return err
		}
		out = append(out, profileOf(d.round, f, d.label(g), true))
	}
	return c.JSON(http.StatusOK, out)
}

// apiTeams is GET /api/v1/rounds/:id/teams: every team the caller sees, in
// hierarchy order, without statements (the heatmap's data).
func (s *Server) apiTeams(c echo.Context) error {
	d, err := s.apiDash(c)
	if err != nil {
		return err
	}
	v, asked := viewerOf(c), askedTeams(d.round, d.res.Teams)
	out := []apiProfile{}
	for _, t := range d.res.Teams {
		if !v.Sees(t.ID) || !asked.has(t.ID) {
			continue
		}
		g := results.GroupRef{Team: t.ID}
		f, err := d.res.Figures(g)
		if err != nil {
			return err
		}
		out = append(out, profileOf(d.round, f, t.Name, false))
	}
	return c.JSON(http.StatusOK, out)
}
