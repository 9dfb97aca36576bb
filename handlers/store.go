package handlers

import (
	"context"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/icare-hr/icare/models"
)

// Store is every method the handlers call on the data layer, and nothing
// more: *models.Store is the one implementation, and tests wrap it to make
// one method fail. It is one interface rather than one per file because
// every handler is a method of the same Server, so a per-file interface
// could not stop a file from calling the others' methods; one list that is
// checked against the code (see TestStoreInterfaceIsUsed) tells the truth.
type Store interface {
	// The process.
	Ping(ctx context.Context) error
	// Now is the one clock of the application, injectable in tests.
	Now() time.Time

	// Teams.
	Teams(ctx context.Context) ([]models.Team, error)
	Team(ctx context.Context, id uint) (models.Team, error)
	TeamByInviteToken(ctx context.Context, token string) (models.Team, error)
	CreateTeam(ctx context.Context, nt models.NewTeam) (models.Team, error)
	UpdateTeam(ctx context.Context, by models.Actor, id uint, ch models.TeamChange) (models.Team, error)
	ArchiveTeam(ctx context.Context, by models.Actor, id uint, archived bool) (models.Team, error)
	RegenerateInvite(ctx context.Context, by models.Actor, id uint) (models.Team, error)
	TeamsForRound(ctx context.Context, roundID uint) ([]models.Team, error)
	SetTeamAccess(ctx context.Context, by models.Actor, id uint, access string) (models.Team, error)

	// Personal codes.
	CodeRound(ctx context.Context) (models.Round, error)
	GenerateCodes(ctx context.Context, nc models.NewCodes) (models.CodeBatch, models.Round, error)
	CodeCounts(ctx context.Context, teamID, roundID uint) (models.CodeCounts, error)
	CodeBatches(ctx context.Context, teamID, roundID uint) ([]models.CodeBatch, error)
	CodeBatch(ctx context.Context, teamID uint, id uint64) (models.CodeBatch, error)
	WithdrawCodes(ctx context.Context, by models.Actor, teamID, roundID uint, codes []string) (int, error)
	WithdrawBatch(ctx context.Context, by models.Actor, teamID uint, id uint64) (int64, error)
	ReplaceCodes(ctx context.Context, by models.Actor, teamID, roundID uint) (models.CodeBatch, int64, error)
	CodeByText(ctx context.Context, code string) (models.PersonalCode, error)
	StartWithCode(ctx context.Context, code string) (models.Started, error)

	// Rounds.
	Rounds(ctx context.Context) ([]models.Round, error)
	Round(ctx context.Context, id uint) (models.Round, error)
	CurrentRound(ctx context.Context) (models.Round, error)
	DefaultRound(ctx context.Context) (models.Round, error)
	LatestClosedRound(ctx context.Context) (models.Round, error)
	CreateRound(ctx context.Context, nr models.NewRound) (models.Round, error)
	OpenRound(ctx context.Context, by models.Actor, id uint) (models.Round, error)
	CloseRound(ctx context.Context, by models.Actor, id uint) (models.Round, error)

	// Responses and their aggregates.
	StartResponse(ctx context.Context, teamID uint) (models.Started, error)
	ResponseByResumeToken(ctx context.Context, token string) (models.Response, error)
	ResponseForStep(ctx context.Context, token string, key int) (models.Unfinished, error)
	ResponseByResultToken(ctx context.Context, token string) (models.Response, error)
	SaveProgress(ctx context.Context, id uint64, p models.Progress) error
	SaveProgressByResumeToken(ctx context.Context, resumeToken string, p models.Progress) (roundKeys string, err error)
	SaveAndSubmitByResumeToken(ctx context.Context, resumeToken string, p models.Progress, resultToken string) (r models.Response, already bool, err error)
	CountResponses(ctx context.Context, roundID uint, status string) (int64, error)
	Cells(ctx context.Context, roundID uint) ([]models.Cell, error)
	Comments(ctx context.Context, roundID uint, teams []uint, perspective string) ([]string, error)
	Publication(ctx context.Context, roundID uint) (models.Publication, error)
	ExportResponses(ctx context.Context, roundID uint, after uint64, limit int, fn func(*models.ExportRow) error) (more bool, err error)

	// Accounts, passwords and sign-in.
	Sessions() scs.Store
	Users(ctx context.Context) ([]models.User, error)
	UserByID(ctx context.Context, id uint) (models.User, error)
	CreateUser(ctx context.Context, nu models.NewUser) (models.User, string, error)
	UpdateUser(ctx context.Context, by models.Actor, id uint, ch models.UserChange) (models.User, error)
	Authenticate(ctx context.Context, email, password string) (models.User, error)
	ChangePassword(ctx context.Context, id uint, current, next string) error
	NewPasswordLink(ctx context.Context, by models.Actor, userID uint) (string, error)
	PasswordTokenUser(ctx context.Context, token string) (models.User, error)
	UsePasswordToken(ctx context.Context, token, password string) (models.User, error)
	RecordSignInAttempt(ctx context.Context, keepSince time.Time, buckets ...string) ([]uint64, error)
	SignInFailures(ctx context.Context, since time.Time, buckets ...string) (map[string]int64, error)
	ForgetSignInAttempts(ctx context.Context, ids []uint64, buckets ...string) error
	RememberSignInPlace(ctx context.Context, bucket string, forgetBefore time.Time) error

	// API tokens.
	CreateAPIToken(ctx context.Context, userID uint, name string) (string, models.APIToken, error)
	APITokens(ctx context.Context, userID uint) ([]models.APIToken, error)
	RevokeAPIToken(ctx context.Context, userID, id uint) error
	UserByAPIToken(ctx context.Context, token string) (models.User, models.APIToken, error)

	// Action plans.
	SavePlan(ctx context.Context, in models.PlanInput) (models.Plan, error)
	PlanOf(ctx context.Context, teamID *uint, roundID uint) (models.Plan, error)
	Plans(ctx context.Context) ([]models.Plan, error)

	// The audit log.
	AuditEvents(ctx context.Context, limit int) ([]models.AuditEvent, error)
}

var _ Store = (*models.Store)(nil)
