package views

import (
	"time"

	"github.com/icare-hr/icare/scoring"
)

// TeamRow is one team in the leaders' home table and the admin team list.
type TeamRow struct {
	ID        uint
	Name      string
	Depth     int
	N         int
	Headcount *int          // nil when unknown
	Rate      scoring.Value // the response rate in %, missing when unknown
	Shown     bool          // results may be shown (n ≥ k, not suppressed)
	Archived  bool
}

// HomePage is what a leader or admin sees after signing in.
type HomePage struct {
	Email     string
	IsAdmin   bool
	RoundID   uint
	RoundName string
	RoundOpen bool
	// RoundPublished: the round is closed and its results show.
	RoundPublished bool
	NoRound        bool
	OrgN           int
	OrgShown       bool
	OrgIndex       scoring.Value
	MinGroup       int
	Teams          []TeamRow
}

// TeamOption is one team in a select of teams, shown by its path.
type TeamOption struct {
	Value    string
	Path     []string
	Selected bool
}

// TeamForm is the create or edit form of a team.
type TeamForm struct {
	ID        uint
	Name      string
	ParentID  string
	Headcount string
	Parents   []TeamOption
	Errors    FieldErrors
	// MaxName is the longest name the Store takes, in characters.
	MaxName int
}

// AdminTeamsPage lists teams and offers the create form.
type AdminTeamsPage struct {
	Teams []TeamRow
	Form  TeamForm
	Flash string
}

// AdminTeamPage edits one team.
type AdminTeamPage struct {
	Form      TeamForm
	InviteURL string
	QR        [][]bool
	Archived  bool
	Flash     string
	Codes     TeamCodes
}

// RoundRow is one round in the admin list.
type RoundRow struct {
	ID       uint
	Name     string
	Status   string
	OpensAt  *time.Time
	ClosesAt *time.Time
	N        int
	// Pulse names a pulse round's keys and teams ("" for a full round).
	Pulse string
}

// AdminRoundsPage lists rounds with their actions and the create form.
type AdminRoundsPage struct {
	Rounds []RoundRow
	// Name is the create form's name, MaxName the longest the Store takes.
	Name    string
	MaxName int
	// Keys and Teams are the create form's choices of a pulse round.
	Keys    []PlanKeyChoice
	Teams   []TeamOption
	Errors  FieldErrors
	Problem string
	Flash   string
}

// UserRow is one account in the admin list.
type UserRow struct {
	ID     uint
	Email  string
	Role   string
	Active bool
	Teams  []string
}

// TeamCheck is one team's checkbox, shown by its path.
type TeamCheck struct {
	Value   string
	Path    []string
	Checked bool
}

// UserForm is the invite or edit form of an account.
type UserForm struct {
	ID     uint
	Email  string
	Role   string
	Active bool
	Teams  []TeamCheck
	Errors FieldErrors
}

// AdminUsersPage lists accounts and offers the invite form.
type AdminUsersPage struct {
	Users []UserRow
	Form  UserForm
	// InviteLink is shown once, right after an account is added.
	InviteLink  string
	InviteEmail string
}

// AdminUserPage edits one account.
type AdminUserPage struct {
	Form  UserForm
	Flash string
	// PasswordLink is a new set-password link, shown once.
	PasswordLink string
}

// AuditRow is one audit event.
type AuditRow struct {
	At                    time.Time
	Actor, Action, Detail string
}
