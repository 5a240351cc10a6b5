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
