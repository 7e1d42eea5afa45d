package webchat

import (
	"fmt"

	"golang.org/x/crypto/bcrypt"
)

// HashPassword hashes a staff password for bot.Staff.PasswordHash.
func HashPassword(pw string) (string, error) {
	if pw == "" {
		return "", fmt.Errorf("hash password: empty password")
	}
	b, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(b), nil
}

// CheckPassword reports whether pw matches a hash made by HashPassword.
func CheckPassword(hash, pw string) bool {
	return hash != "" && bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}

// decoyHash is a bcrypt hash of a random password nobody knows. Logins for
// users that do not exist are checked against it, so they take as long as
// real ones and the timing does not tell which user names exist.
const decoyHash = "$2a$10$0JNAe4AGADt0xug/QTXFHeIoKLhWwc22f7y10EqpFhkEH.kdWGgAW"
