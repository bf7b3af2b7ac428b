"""Operations across leads, bookings and contracts (above all three in the domain order)."""
