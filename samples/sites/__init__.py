"""One renderer per farm publisher: furat (WordPress), khabour (old cp1256), nabd (modern)."""
