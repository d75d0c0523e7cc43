package telegramtest

import (
	"fmt"
	"time"

	"github.com/go-telegram/bot/models"
)

// SendAlbum sends the photos of an album as Telegram delivers one: one
// update per photo, sharing a media_group_id, the caption on the first,
// queued the album gap apart (WithAlbumGap), so that a poll or a webhook
// call may carry the first photo before the others exist. It returns the
// message ids at once; the last photo is queued one gap per photo later.
func (s *Server) SendAlbum(fromID int64, caption string, photos ...[]byte) []int {
	s.mu.Lock()
	s.nextAlbum++
	group := fmt.Sprintf("1%016d", s.nextAlbum) // Telegram's are long numbers
	var ids []int
	var parts []models.Update
	for i, data := range photos {
		m := s.newMessageLocked(fromID, "", "")
		if i == 0 {
			m.Caption = caption
		}
		m.MediaGroupID = group
		m.Photo = s.photoSizesLocked(data)
		parts = append(parts, models.Update{Message: m})
		ids = append(ids, m.ID)
	}
	gap := s.albumGap
	if len(parts) > 0 {
		s.addUpdateLocked(parts[0])
	}
	s.mu.Unlock()
	if len(parts) > 1 {
		go func() {
			for _, u := range parts[1:] {
				time.Sleep(gap)
				s.mu.Lock()
				s.addUpdateLocked(u)
				s.mu.Unlock()
			}
		}()
	}
	return ids
}
