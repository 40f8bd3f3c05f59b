"""Routing: who gets which form of an announcement, in which language. Pure logic, no database."""

from gateway.routing.plan import AnnouncementTarget, CitizenProfile, Route, plan_routes

__all__ = ["AnnouncementTarget", "CitizenProfile", "Route", "plan_routes"]
