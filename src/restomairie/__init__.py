"""Resto-Mairie: school meals booked by phone, locked for the kitchen."""
