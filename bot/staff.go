package bot

import "fmt"

// Role is what a staff member may do. Each role can do everything the
// roles before it can.
type Role string

// The staff roles, weakest first.
const (
	Agent    Role = "agent"    // sees work, marks shipped and delivered, answers customers
	Approver Role = "approver" // + approves and rejects orders, cancels and after-sales
	Admin    Role = "admin"    // + manages staff
)

func (r Role) rank() int {
	switch r {
	case Agent:
		return 1
	case Approver:
		return 2
	case Admin:
		return 3
	}
	return 0
}

// ParseRole checks a role name.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if r.rank() == 0 {
		return "", fmt.Errorf("%w: unknown role %q (agent, approver, admin)", ErrInvalid, s)
	}
	return r, nil
}

// AtLeast reports whether r includes the rights of min.
func (r Role) AtLeast(min Role) bool { return r.rank() >= min.rank() && r.rank() > 0 }

// Staff is one staff identity on one channel. PasswordHash is used only by
// channels that log staff in themselves (the web console).
type Staff struct {
	ID           int64
	Channel      string
	UserID       string
	Name         string
	Role         Role
	PasswordHash string
}

// Actor names a staff member in history, audit and cards.
func (s Staff) Actor() string {
	name := s.Name
	if name == "" {
		name = s.UserID
	}
	return name + " (" + s.Channel + ")"
}

// CustomerActor names a customer in history and audit.
func CustomerActor(c Customer) string {
	return fmt.Sprintf("customer %s:%s", c.Channel, c.UserID)
}
