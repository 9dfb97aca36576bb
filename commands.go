package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/icare-hr/icare/config"
	"github.com/icare-hr/icare/export"
	"github.com/icare-hr/icare/models"
)

// stringList is a flag that may be given several times.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// cmd is one operator command: its name, its positional arguments, its own
// flags, and what it does with the opened database.
type cmd struct {
	name      string
	argsUsage string
	nargs     int
	declare   func(fs *flag.FlagSet)
	run       func(ctx context.Context, store *models.Store, cfg config.Config, args []string) error
}

// command parses c's flags (the shared settings included), checks the
// number of positional arguments, opens and migrates the database, runs c
// and closes the database.
func (e env) command(ctx context.Context, c cmd, args []string) error {
	fs := flag.NewFlagSet("icare "+c.name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: icare %s [flags] %s\n\nFlags:\n", c.name, c.argsUsage)
		fs.PrintDefaults()
	}
	load := config.Register(fs, e.getenv)
	if c.declare != nil {
		c.declare(fs)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != c.nargs {
		fs.Usage()
		return fmt.Errorf("%s takes %d argument(s) (%s), got %d", c.name, c.nargs, c.argsUsage, fs.NArg())
	}
	cfg, err := load()
	if err != nil {
		return err
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	return c.run(ctx, store, cfg, fs.Args())
}

// inviteURL is the link a team's members open.
func inviteURL(cfg config.Config, t models.Team) string {
	return cfg.BaseURL + "/t/" + t.InviteToken
}

func (e env) userAdd(ctx context.Context, args []string) error {
	var email, role, password string
	var teams stringList
	return e.command(ctx, cmd{name: "user add", declare: func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "the account's e-mail address (required)")
		fs.StringVar(&role, "role", models.RoleLeader, "admin or leader")
		fs.StringVar(&password, "password", "", "the password; when absent it is read from the first line of standard input")
		fs.Var(&teams, "team", "a team the leader sees (with its descendants); repeat for several")
	}, run: func(ctx context.Context, store *models.Store, _ config.Config, _ []string) error {
		if email == "" {
			return errors.New("user add: --email is required")
		}
		if password == "" {
			line, err := bufio.NewReader(e.stdin).ReadString('\n')
			if err != nil && line == "" {
				return errors.New("user add: give --password or the password on standard input")
			}
			password = strings.TrimRight(line, "\r\n")
		}
		// The command line always sets a password: an empty one would make
		// an invitation whose link nobody is shown.
		if err := models.CheckPassword(password); err != nil {
			return fmt.Errorf("user add: %w", err)
		}
		nu := models.NewUser{Email: email, Password: password, Role: role}
		for _, name := range teams {
			t, err := store.TeamByName(ctx, name)
			if err != nil {
				return fmt.Errorf("user add: %w", err)
			}
			nu.TeamIDs = append(nu.TeamIDs, t.ID)
		}
		u, _, err := store.CreateUser(ctx, nu)
		if err != nil {
			return fmt.Errorf("user add: %w", err)
		}
		fmt.Fprintf(e.stdout, "added %s %s\n", u.Role, u.Email)
		return nil
	}}, args)
}

func (e env) teamAdd(ctx context.Context, args []string) error {
	var name, parent string
	headcount := -1
	return e.command(ctx, cmd{name: "team add", declare: func(fs *flag.FlagSet) {
		fs.StringVar(&name, "name", "", "the team's name (required, unique)")
		fs.StringVar(&parent, "parent", "", "the name of the parent team, if any")
		fs.IntVar(&headcount, "headcount", -1, "how many people the team has, for response rates (optional)")
	}, run: func(ctx context.Context, store *models.Store, cfg config.Config, _ []string) error {
		nt := models.NewTeam{Name: name}
		if parent != "" {
			p, err := store.TeamByName(ctx, parent)
			if err != nil {
				return fmt.Errorf("team add: parent %w", err)
			}
			nt.ParentID = &p.ID
		}
		if headcount >= 0 {
			nt.Headcount = &headcount
		} else if headcount != -1 {
			return fmt.Errorf("team add: headcount %d is negative", headcount)
		}
		t, err := store.CreateTeam(ctx, nt)
		if err != nil {
			return fmt.Errorf("team add: %w", err)
		}
		fmt.Fprintf(e.stdout, "added team %s\ninvite link: %s\n", t.Name, inviteURL(cfg, t))
		return nil
	}}, args)
}

func (e env) teamList(ctx context.Context, args []string) error {
	return e.command(ctx, cmd{name: "team list", run: func(ctx context.Context, store *models.Store, cfg config.Config, _ []string) error {
		teams, err := store.Teams(ctx)
		if err != nil {
			return err
		}
		if len(teams) == 0 {
			fmt.Fprintln(e.stdout, "no teams yet: add one with icare team add --name NAME")
			return nil
		}
		// By name, as Teams lists them, each with its path.
		paths := make(map[uint][]string, len(teams))
		for _, p := range models.Hierarchy(teams) {
			paths[p.ID] = p.Path
		}
		for _, t := range teams {
			status := ""
			if t.ArchivedAt != nil {
				status = " (archived)"
			}
			fmt.Fprintf(e.stdout, "%s%s\t%s\n", export.TeamPath(paths[t.ID]), status, inviteURL(cfg, t))
		}
		return nil
	}}, args)
}

func (e env) roundOpen(ctx context.Context, args []string) error {
	var name string
	return e.command(ctx, cmd{name: "round open", declare: func(fs *flag.FlagSet) {
		fs.StringVar(&name, "name", "", `the round's name, e.g. "2027 Q1" (required)`)
	}, run: func(ctx context.Context, store *models.Store, _ config.Config, _ []string) error {
		r, err := store.CreateRound(ctx, models.NewRound{Name: name, Open: true})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "opened round %s\n", r.Name)
		return nil
	}}, args)
}

func (e env) roundClose(ctx context.Context, args []string) error {
	return e.command(ctx, cmd{name: "round close", run: func(ctx context.Context, store *models.Store, _ config.Config, _ []string) error {
		open, err := store.CurrentRound(ctx)
		if err != nil {
			return err
		}
		r, err := store.CloseRound(ctx, models.CommandLine, open.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "closed round %s\n", r.Name)
		return nil
	}}, args)
}

func (e env) backup(ctx context.Context, args []string) error {
	return e.command(ctx, cmd{name: "backup", argsUsage: "PATH", nargs: 1, run: func(ctx context.Context, store *models.Store, _ config.Config, rest []string) error {
		if err := store.Backup(ctx, rest[0]); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "backed up to %s\n", rest[0])
		return nil
	}}, args)
}

// aggregatesRebuild recomputes the maintained aggregates of every round (or
// of --round) from the submitted responses: the repair when a page says an
// aggregate is inconsistent.
func (e env) aggregatesRebuild(ctx context.Context, args []string) error {
	var only uint
	return e.command(ctx, cmd{name: "aggregates rebuild", declare: func(fs *flag.FlagSet) {
		fs.UintVar(&only, "round", 0, "the id of the one round to rebuild (default: every round)")
	}, run: func(ctx context.Context, store *models.Store, _ config.Config, _ []string) error {
		rounds, err := store.Rounds(ctx)
		if err != nil {
			return err
		}
		done := 0
		for _, r := range rounds {
			if only != 0 && r.ID != only {
				continue
			}
			n, err := store.RebuildCells(ctx, r.ID)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "rebuilt round %s: %d responses\n", r.Name, n)
			done++
		}
		if only != 0 && done == 0 {
			return fmt.Errorf("aggregates rebuild: round %d: %w", only, models.ErrNotFound)
		}
		return nil
	}}, args)
}

// healthcheck asks a running server's /healthz and fails unless it answers
// 200: the Docker HEALTHCHECK, so the image needs no curl.
func (e env) healthcheck(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("icare healthcheck", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	addr := fs.String("url", "http://127.0.0.1:8080/healthz", "the address to check")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *addr, nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %s", *addr, resp.Status)
	}
	return nil
}
