import pytest

from geo.borders import load_borders


@pytest.mark.parametrize(
    ("lat", "lon", "code"),
    [
        (33.5058, 38.6178, "SY"),  # al Tanf garrison
        (35.95, 39.01, "SY"),  # Raqqa
        (36.32, 41.88, "IQ"),  # Sinjar
        (31.95, 35.93, "JO"),  # Amman
        (45.0, 34.0, "UA"),  # Crimea: the German point of view draws it as Ukrainian
        (33.0, 35.75, None),  # Golan Heights: a hole in this view
        (35.0, 18.0, None),  # the Mediterranean
    ],
)
def test_country_at(lat, lon, code):
    assert load_borders().country_at(lat, lon) == code


def test_borders_say_where_they_come_from():
    borders = load_borders()
    assert "Natural Earth" in borders.attribution
    assert borders.properties["view"] == "DE"
    assert len(borders.features) > 200


@pytest.mark.parametrize(
    ("lat", "lon", "country", "status", "neighbour", "km", "uncertain"),
    [
        (33.5058, 38.6178, "SY", "country", "JO", 20.4, False),  # al Tanf garrison
        (36.3209, 41.8766, "IQ", "country", "SY", 31.0, False),  # Sinjar
        (33.311, 38.668, "JO", "country", "SY", 0.4, True),  # Rukban: on the berm, side unsure
        (33.0, 35.75, None, "disputed", "SY", 10.1, False),  # Golan Heights
        (9.6, 28.44, None, "disputed", "SS", 30.1, False),  # Abyei
        (35.0, 18.0, None, "sea", "IT", 318.7, False),
    ],
)
def test_standing_reports_country_nearest_border_and_doubt(
    lat, lon, country, status, neighbour, km, uncertain
):
    s = load_borders().standing(lat, lon)
    assert (s.country, s.status, s.neighbour, s.side_uncertain) == (
        country,
        status,
        neighbour,
        uncertain,
    )
    assert s.distance_km == pytest.approx(km, abs=0.6)


def test_countries_split_over_features_are_merged():
    # France and Clipperton Island are both FR in Natural Earth
    assert "BE" in load_borders().neighbours("FR")


def test_shared_border_length_is_geodesic_and_plausible():
    from geo.geodesy import GEOD

    line = load_borders().shared_border("SY", "IQ")
    assert 580 < GEOD.geometry_length(line) / 1000 < 640  # about 605 km
    assert load_borders().shared_border("US", "IR") is None


def test_full_resolution_borders_for_distance_work():
    from geo.borders import load_borders_full

    full = load_borders_full()
    assert full.properties["resolution"] == "full"
    tanf = full.standing(33.5058, 38.6178)
    assert (tanf.country, tanf.neighbour) == ("SY", "JO")
    assert tanf.distance_km == pytest.approx(20.3, abs=0.3)
    assert full.standing(33.0, 35.75).status == "disputed"  # holes found on the outlines


def test_display_outlines_keep_one_common_border_between_neighbours():
    """Shared arcs were simplified once: no overlaps between Syria, Iraq and Jordan."""
    borders = load_borders()
    sy, iq, jo = (borders.geometry_of(c) for c in ("SY", "IQ", "JO"))
    assert sy.intersection(iq).area < 1e-6
    assert sy.intersection(jo).area < 1e-6
    assert iq.intersection(jo).area < 1e-6
    assert "topology-preserving" in borders.properties["simplification"]
