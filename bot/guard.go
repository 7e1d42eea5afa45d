package bot

import "time"

// RateEvent is one counted use of something limited (a login attempt, a
// photo upload, a new web chat visitor), kept in the database so every
// replica counts the same uses.
type RateEvent struct {
	ID     int64
	Key    string // what is limited and for whom, e.g. "login-user:alice"
	Amount int64  // what the use weighs (bytes of an upload); 1 for a plain count
	At     time.Time
}

// StaffSession is a staff login on a channel that logs staff in itself
// (the web console). ID is a hash of the secret the browser holds, so the
// database never has what would let someone act as the staff member. Grant
// fingerprints the role and password the session was granted under: a
// session whose grant no longer matches the staff member is void.
type StaffSession struct {
	ID        string
	Channel   string
	UserID    string
	Grant     string
	CreatedAt time.Time
	ExpiresAt time.Time
}
